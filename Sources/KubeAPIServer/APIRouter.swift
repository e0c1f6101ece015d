import APIStore
import Foundation
import Logging

/// Routes every request: authentication (the admin's bearer token; anything else is 401),
/// then discovery, OpenAPI, health, and the resources.
public final class APIRouter: APIRequestHandling, @unchecked Sendable {
    let store: ResourceStore
    let credentials: APICredentials
    let resources: ResourceHandlers
    public let streams: PodStreamRoutes
    /// The resource metrics API (`metrics.k8s.io`), fed by the agent's samples.
    public let metrics = MetricsRoutes()
    /// The node's own metrics, served at `/metrics` (with the token, as the apiserver's and
    /// the kubelet's are).
    public let prometheus = NodePrometheus()
    let serverAddress: String
    let logger: Logger
    /// Called after every request that may have changed an object (not GET), so the agent
    /// reconciles at once.
    public var onWrite: (@Sendable () -> Void)?

    public init(store: ResourceStore, credentials: APICredentials, node: NodeStreams, serverAddress: String, logger: Logger) {
        self.store = store
        self.credentials = credentials
        self.serverAddress = serverAddress
        self.logger = logger
        resources = ResourceHandlers(store: store, logger: logger)
        streams = PodStreamRoutes(store: store, node: node, credentials: credentials, logger: logger)
    }

    public func handle(_ request: APIRequest, _ sink: ResponseSink) {
        let start = DispatchTime.now().uptimeNanoseconds
        route(request, sink)
        // Long-running requests (watches, streams) are not latencies: upstream leaves them out.
        let (verb, resource) = Self.verbAndResource(request)
        guard verb != "watch", verb != "connect", let status = sink.responseStatus else { return }
        prometheus.observeRequest(verb: verb, resource: resource, code: status,
                                  seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// The apiserver's verb (`list`, `get`, `watch`, `create`, … `connect` for streams) and
    /// resource (plural; empty for discovery and other non-resource paths) of a request.
    static func verbAndResource(_ request: APIRequest) -> (String, String) {
        guard case .resource(let path) = ResourcePath.parse(request.segments) else {
            return (request.method.lowercased(), "")
        }
        if let sub = path.subresource, PodStreamRoutes.subresources.contains(sub) {
            return (sub == "log" && !request.flag("follow") ? "get" : "connect", path.type.plural)
        }
        switch request.method {
        case "GET":
            if request.flag("watch") || request.segments.contains("watch") { return ("watch", path.type.plural) }
            return (path.name == nil ? "list" : "get", path.type.plural)
        case "POST": return ("create", path.type.plural)
        case "PUT": return ("update", path.type.plural)
        case "PATCH": return ("patch", path.type.plural)
        case "DELETE": return (path.name == nil ? "deletecollection" : "delete", path.type.plural)
        default: return (request.method.lowercased(), path.type.plural)
        }
    }

    private func route(_ request: APIRequest, _ sink: ResponseSink) {
        let segments = request.segments
        // Health is served without credentials, as the apiserver's /healthz, /livez, /readyz.
        if request.method == "GET", segments.count == 1, ["healthz", "livez", "readyz"].contains(segments[0]) {
            sink.respond(APIResponse(status: 200, headers: [("Content-Type", "text/plain")], body: Data("ok".utf8)))
            return
        }
        guard credentials.authorizes(request.header("authorization")) else {
            sink.respond(StatusError.unauthorized.response)
            return
        }
        if request.method == "GET", segments == ["metrics"] {
            sink.respond(APIResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: Data(prometheus.text().utf8)))
            return
        }
        defer { if request.method != "GET" { onWrite?() } }
        do {
            if let response = try discovery(request) ?? metrics.handle(request) {
                sink.respond(response)
                return
            }
            switch ResourcePath.parse(segments) {
            case .groupVersion(let group, let version):
                guard request.method == "GET", let list = Discovery.resourceList(group: group, version: version) else {
                    throw StatusError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
                }
                sink.respond(.json(list.data()))
            case .resource(let path):
                if let sub = path.subresource, PodStreamRoutes.subresources.contains(sub) {
                    try streams.handle(request, path: path, sink: sink)
                } else {
                    try resources.handle(request, path: path, sink: sink)
                }
            case .notFound:
                throw StatusError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
            }
        } catch let error as StatusError {
            sink.respond(error.response)
        } catch {
            logger.error("API \(request.method) \(request.path): \(error)")
            sink.respond(StatusError.internalError("\(error)").response)
        }
    }

    private func discovery(_ request: APIRequest) throws -> APIResponse? {
        let segments = request.segments
        guard request.method == "GET" else { return nil }
        switch segments {
        case ["version"]: return .json(Discovery.version().data())
        case ["api"]: return .json(Discovery.coreVersions(serverAddress: serverAddress).data())
        case ["apis"]: return .json(Discovery.groupList().data())
        case ["openapi", "v3"]: return .json(OpenAPIDocuments.root().data())
        default: break
        }
        if segments.count == 2, segments[0] == "apis", let group = Discovery.groups.first(where: { $0.name == segments[1] }) {
            return .json(Discovery.group(group.name, group.version).data())
        }
        if segments.count >= 4, segments[0] == "openapi", segments[1] == "v3" {
            let rest = Array(segments.dropFirst(2))
            let document: JSONValue?
            if rest.count == 2, rest[0] == "api" {
                document = OpenAPIDocuments.document(group: "", version: rest[1])
            } else if rest.count == 3, rest[0] == "apis" {
                document = OpenAPIDocuments.document(group: rest[1], version: rest[2])
            } else {
                document = nil
            }
            guard let document else { throw StatusError(code: 404, reason: "NotFound", message: "the server could not find the requested resource") }
            return .json(document.data())
        }
        return nil
    }
}
