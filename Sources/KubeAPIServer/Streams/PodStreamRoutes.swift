import APIStore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The pod subresources that stream: `log` over plain HTTP (chunked when following), and
/// `exec` over a WebSocket with Kubernetes' channel protocol (`v5.channel.k8s.io`, which
/// kubectl 1.32 uses by default, or v4).
public final class PodStreamRoutes: @unchecked Sendable {
    static let subresources: Set<String> = ["log", "exec", "attach", "portforward"]
    static let protocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"]

    let store: ResourceStore
    let node: NodeStreams
    let credentials: APICredentials
    let logger: Logger

    init(store: ResourceStore, node: NodeStreams, credentials: APICredentials, logger: Logger) {
        self.store = store
        self.node = node
        self.credentials = credentials
        self.logger = logger
    }

    func handle(_ request: APIRequest, path: ResourcePath, sink: ResponseSink) throws {
        guard path.type.kind == "Pod", let key = path.key else { throw StatusError.badRequest("not a pod") }
        guard let pod = store.get(key) else { throw StatusError.notFound(path.type, key.name) }
        switch path.subresource {
        case "log":
            guard request.method == "GET" else { throw StatusError.methodNotAllowed("log is read with GET") }
            try logs(request, pod: pod, sink: sink)
        case "exec", "attach":
            throw StatusError(code: 400, reason: "BadRequest",
                              message: "Upgrade request required: \(path.subresource!) streams over a WebSocket (\(Self.protocols[0]))")
        default:
            throw StatusError(code: 400, reason: "BadRequest", message: "\(path.subresource ?? "") is not supported by this node")
        }
    }

    private func logs(_ request: APIRequest, pod: JSONValue, sink: ResponseSink) throws {
        var options = LogOptions()
        options.follow = request.flag("follow")
        options.previous = request.flag("previous")
        options.tailLines = request.query["tailLines"].flatMap(Int.init)
        let container = try containerName(request, pod: pod)
        if options.follow {
            sink.startStream(contentType: "text/plain")
            do {
                try node.logs(pod: pod, container: container, options: options, write: { sink.write($0) }, isOpen: { sink.isOpen })
            } catch {
                sink.write(Data("\(error)\n".utf8))
            }
            sink.finish()
            return
        }
        let collected = LockedData()
        try node.logs(pod: pod, container: container, options: options, write: { collected.append($0) }, isOpen: { true })
        sink.respond(APIResponse(status: 200, headers: [("Content-Type", "text/plain")], body: collected.value))
    }

    /// The container a request names, or the pod's only (or first) one, as the apiserver
    /// picks it; 400 naming the choices when a pod has several and none is named.
    func containerName(_ request: APIRequest, pod: JSONValue) throws -> String {
        let names = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.string }
        let initNames = (pod[path: ["spec", "initContainers"]]?.arrayValue ?? []).compactMap { $0["name"]?.string }
        let podName = pod[path: ["metadata", "name"]]?.string ?? ""
        if let given = request.query["container"], !given.isEmpty {
            guard names.contains(given) || initNames.contains(given) else {
                throw StatusError.badRequest("container \(given) is not valid for pod \(podName)")
            }
            return given
        }
        if let first = names.first { return first }
        throw StatusError.badRequest("pod \(podName) has no containers")
    }

    // MARK: WebSocket exec

    /// The upgrader for `exec`: authenticated, on a pod that exists, offering a channel
    /// protocol kubectl speaks.
    func webSocketUpgrader() -> NIOWebSocketServerUpgrader {
        NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 20,
            shouldUpgrade: { [self] channel, head in
                let offered = head.headers["Sec-WebSocket-Protocol"].flatMap { $0.split(separator: ",") }
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                guard let chosen = Self.protocols.first(where: offered.contains),
                      credentials.authorizes(head.headers.first(name: "Authorization")),
                      case .resource(let path) = ResourcePath.parse(APIRequest(method: "GET", uri: head.uri, headers: [:], body: Data()).segments),
                      path.subresource == "exec", path.key.flatMap({ store.get($0) }) != nil
                else { return channel.eventLoop.makeSucceededFuture(nil) }
                return channel.eventLoop.makeSucceededFuture(HTTPHeaders([("Sec-WebSocket-Protocol", chosen)]))
            },
            upgradePipelineHandler: { [self] channel, head in
                let request = APIRequest(method: "GET", uri: head.uri, headers: [:], body: Data())
                let session = ExecWebSocketHandler(logger: logger)
                return channel.pipeline.addHandler(session).map {
                    session.start(channel: channel) { try self.startExec(request) }
                }
            })
    }

    private func startExec(_ request: APIRequest) throws -> ExecProcess {
        guard case .resource(let path) = ResourcePath.parse(request.segments), let key = path.key, let pod = store.get(key) else {
            throw StatusError.notFound(ResourceTypes.all[0], "")
        }
        let container = try containerName(request, pod: pod)
        let command = request.queryList("command")
        guard !command.isEmpty else { throw StatusError.badRequest("you must specify at least 1 command") }
        return try node.exec(pod: pod, container: container, command: command, tty: request.flag("tty"), stdin: request.flag("stdin"))
    }
}

/// Bytes gathered from several threads.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }

    var value: Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}
