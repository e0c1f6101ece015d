/// One kind of object the node serves, as discovery describes it (`metav1.APIResource`):
/// where it lives (group, version, plural), how clients may name it, and what they may do.
public struct ResourceType: Sendable, Hashable {
    public var group: String
    public var version: String
    /// The plural, lower case (`deployments`): the URL segment and the store's folder.
    public var plural: String
    public var singular: String
    public var kind: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    public var subresources: [String]
    public var verbs: [String]

    public static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    public init(
        group: String, version: String, plural: String, kind: String, namespaced: Bool = true,
        shortNames: [String] = [], categories: [String] = [], subresources: [String] = [],
        verbs: [String] = ResourceType.allVerbs
    ) {
        self.group = group
        self.version = version
        self.plural = plural
        self.singular = kind.lowercased()
        self.kind = kind
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.verbs = verbs
    }

    /// `v1` or `apps/v1`.
    public var apiVersion: String { group.isEmpty ? version : group + "/" + version }

    /// The store's name for the resource: `pods`, `deployments.apps`.
    public var qualifiedName: String { group.isEmpty ? plural : plural + "." + group }
}

/// Every resource the node serves. Order is discovery's.
public enum ResourceTypes {
    public static let all: [ResourceType] = [
        ResourceType(group: "", version: "v1", plural: "pods", kind: "Pod", shortNames: ["po"], categories: ["all"],
                     subresources: ["status", "log", "exec", "attach", "portforward"]),
        ResourceType(group: "", version: "v1", plural: "services", kind: "Service", shortNames: ["svc"], categories: ["all"],
                     subresources: ["status"]),
        ResourceType(group: "", version: "v1", plural: "endpoints", kind: "Endpoints", shortNames: ["ep"]),
        ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", shortNames: ["cm"]),
        ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret"),
        ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false, shortNames: ["ns"],
                     subresources: ["status"], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"]),
        ResourceType(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", shortNames: ["sa"]),
        ResourceType(group: "", version: "v1", plural: "events", kind: "Event", shortNames: ["ev"]),
        ResourceType(group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false, shortNames: ["no"],
                     subresources: ["status"]),
        ResourceType(group: "apps", version: "v1", plural: "deployments", kind: "Deployment", shortNames: ["deploy"],
                     categories: ["all"], subresources: ["status", "scale"]),
        ResourceType(group: "apps", version: "v1", plural: "replicasets", kind: "ReplicaSet", shortNames: ["rs"],
                     categories: ["all"], subresources: ["status", "scale"]),
        ResourceType(group: "apps", version: "v1", plural: "daemonsets", kind: "DaemonSet", shortNames: ["ds"],
                     categories: ["all"], subresources: ["status"]),
        ResourceType(group: "batch", version: "v1", plural: "jobs", kind: "Job", categories: ["all"], subresources: ["status"]),
        ResourceType(group: "batch", version: "v1", plural: "cronjobs", kind: "CronJob", shortNames: ["cj"], categories: ["all"],
                     subresources: ["status"]),
        ResourceType(group: "discovery.k8s.io", version: "v1", plural: "endpointslices", kind: "EndpointSlice"),
        ResourceType(group: "networking.k8s.io", version: "v1", plural: "ingresses", kind: "Ingress", shortNames: ["ing"],
                     subresources: ["status"]),
        ResourceType(group: "networking.k8s.io", version: "v1", plural: "ingressclasses", kind: "IngressClass", namespaced: false),
        ResourceType(group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", kind: "HorizontalPodAutoscaler",
                     shortNames: ["hpa"], categories: ["all"], subresources: ["status"]),
    ]

    /// The groups (beyond core) in discovery order, each with its one version.
    public static var groups: [(name: String, version: String)] {
        var seen: [(String, String)] = []
        for type in all where !type.group.isEmpty && !seen.contains(where: { $0.0 == type.group }) {
            seen.append((type.group, type.version))
        }
        return seen
    }

    /// The resource at `group/version/plural`, if served.
    public static func find(group: String, version: String, plural: String) -> ResourceType? {
        all.first { $0.group == group && $0.version == version && $0.plural == plural }
    }

    /// The resource for an object's `apiVersion` and `kind`.
    public static func find(apiVersion: String, kind: String) -> ResourceType? {
        all.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }

    /// The resource of a kind, whatever its version.
    public static func find(kind: String) -> ResourceType? {
        all.first { $0.kind == kind }
    }
}
