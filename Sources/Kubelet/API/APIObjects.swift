import APIStore
import Foundation
import KubeAPI

/// Who an object in the API store belongs to: a manifest file on the node (served as
/// upstream serves static pods: read-only, put back when deleted), the agent's controllers
/// (ReplicaSets of Deployments, their pods, Endpoints, the Node), or the user, who created it
/// through the API and whose object the agent only gives a status.
enum APIObjectOrigin: Equatable {
    case file(String)
    case derived
    case user

    static let derivedKinds: Set<String> = ["Endpoints", "EndpointSlice", "Event", "Node"]

    init(_ object: JSONValue) {
        if let file = object[path: ["metadata", "annotations", StaticPods.sourceAnnotation]]?.string {
            self = .file(file)
        } else if APIObjectOrigin.derivedKinds.contains(object["kind"]?.string ?? "")
                    || (object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains(where: { $0["controller"] == .bool(true) }) {
            self = .derived
        } else {
            self = .user
        }
    }

    var isAgents: Bool { self != .user }
}

/// Conversions between the typed model and the store's JSON.
enum APIObjects {
    /// The resources the controllers read from users, in the store's names.
    static let userKinds = ["Pod", "Service", "ConfigMap", "Secret", "Deployment", "ReplicaSet", "DaemonSet", "Job", "CronJob"]

    static func type(of kind: String) -> ResourceType? { ResourceTypes.find(kind: kind) }

    static func key(_ object: KubeObject) -> StoreKey? {
        guard let type = type(of: object.kind) else { return nil }
        return StoreKey(type, namespace: object.metadata.namespace ?? ObjectMeta.defaultNamespace, name: object.name)
    }

    /// The object as the API serves it: kind and apiVersion set, namespace defaulted.
    static func json(_ object: KubeObject) -> JSONValue? {
        guard var value = try? JSONValue.from(object) else { return nil }
        value["kind"] = .string(object.kind)
        value["apiVersion"] = .string(object.apiVersion)
        if object.isNamespaced, value[path: ["metadata", "namespace"]] == nil {
            value[path: ["metadata", "namespace"]] = .string(ObjectMeta.defaultNamespace)
        }
        return value
    }

    /// A stored object decoded as the manifest decoder would decode it (defaults applied);
    /// nil when it does not decode (it was validated when written, so only for kinds
    /// without a typed model).
    static func typed(_ object: JSONValue) -> KubeObject? {
        ManifestDecoder().decode(fileName: "api", bytes: object.data()).first?.object?.object
    }
}
