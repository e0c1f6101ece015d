import APIStore
import Foundation

/// The resource metrics API (`metrics.k8s.io/v1beta1`, metrics-server's): PodMetrics and
/// NodeMetrics, listed and read from the agent's latest samples, never stored. `kubectl
/// top` and the HPA read it.
public final class MetricsRoutes: @unchecked Sendable {
    public static let group = "metrics.k8s.io"
    public static let version = "v1beta1"

    private let lock = NSLock()
    private var latest = ResourceMetricsSnapshot()

    public init() {}

    /// Replaces the samples served.
    public func update(_ snapshot: ResourceMetricsSnapshot) {
        lock.lock()
        latest = snapshot
        lock.unlock()
    }

    public var snapshot: ResourceMetricsSnapshot {
        lock.lock()
        defer { lock.unlock() }
        return latest
    }

    /// The group's resource list, as metrics-server's APIService registers it.
    static func resourceList() -> JSONValue {
        func entry(_ plural: String, _ kind: String, namespaced: Bool) -> JSONValue {
            ["name": .string(plural), "singularName": "", "namespaced": .bool(namespaced), "kind": .string(kind), "verbs": ["get", "list"]]
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group + "/" + version),
            "resources": [entry("nodes", "NodeMetrics", namespaced: false), entry("pods", "PodMetrics", namespaced: true)],
        ]
    }

    /// Answers `/apis/metrics.k8s.io/v1beta1/...`; nil for any other path.
    func handle(_ request: APIRequest) throws -> APIResponse? {
        let segments = request.segments
        guard segments.count >= 3, segments[0] == "apis", segments[1] == Self.group, segments[2] == Self.version else { return nil }
        guard request.method == "GET" else {
            throw StatusError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
        }
        var rest = Array(segments.dropFirst(3))
        if rest.isEmpty { return .json(Self.resourceList().data()) }
        var namespace: String?
        if rest.count >= 3, rest[0] == "namespaces", rest[2] == "pods" {
            namespace = rest[1]
            rest = Array(rest.dropFirst(2))
        }
        let selector: SelectorQuery
        do {
            selector = try SelectorQuery.parse(request.query["labelSelector"])
        } catch let error as SelectorQuery.ParseError {
            throw StatusError(code: 400, reason: "BadRequest", message: error.message)
        }
        let current = snapshot
        switch (rest.first, rest.count) {
        case ("pods", 1):
            let pods = current.pods.filter { (namespace == nil || $0.namespace == namespace) && selector.matches(labels: $0.labels) }
            return .json(ResourceMetricsJSON.list(kind: "PodMetrics", pods.map(ResourceMetricsJSON.pod)).data())
        case ("pods", 2):
            guard let namespace, let pod = current.pods.first(where: { $0.namespace == namespace && $0.name == rest[1] }) else {
                throw StatusError(code: 404, reason: "NotFound", message: "podmetrics.metrics.k8s.io \"\(rest[1])\" not found")
            }
            return .json(ResourceMetricsJSON.pod(pod).data())
        case ("nodes", 1) where namespace == nil:
            let nodes = current.node.map { [$0] } ?? []
            return .json(ResourceMetricsJSON.list(kind: "NodeMetrics", nodes.map(ResourceMetricsJSON.node)).data())
        case ("nodes", 2) where namespace == nil:
            guard let node = current.node, node.name == rest[1] else {
                throw StatusError(code: 404, reason: "NotFound", message: "nodemetrics.metrics.k8s.io \"\(rest[1])\" not found")
            }
            return .json(ResourceMetricsJSON.node(node).data())
        default:
            throw StatusError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
    }
}

extension SelectorQuery {
    func matches(labels: [String: String]) -> Bool { matches { labels[$0] } }
}
