import APIStore
import Foundation

/// `/scale` (autoscaling/v1 Scale) of Deployments and ReplicaSets: `spec.replicas` read and
/// written through a small object, as `kubectl scale` and autoscalers use it.
enum ScaleSubresource {
    static let type = ResourceType(group: "autoscaling", version: "v1", plural: "scales", kind: "Scale")

    static func scale(of object: JSONValue, type: ResourceType) throws -> JSONValue {
        var metadata: [String: JSONValue] = [:]
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            metadata[field] = object[path: ["metadata", field]]
        }
        let labels = object[path: ["spec", "selector", "matchLabels"]]?.objectValue ?? [:]
        let selector = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.string ?? "")" }.joined(separator: ",")
        return .object([
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(metadata),
            "spec": .object(["replicas": .int(object[path: ["spec", "replicas"]]?.int ?? 1)]),
            "status": .object(["replicas": .int(object[path: ["status", "replicas"]]?.int ?? 0), "selector": .string(selector)]),
        ])
    }

    /// Writes the Scale's `spec.replicas` into the object; returns the new Scale.
    static func write(_ scale: JSONValue, handlers: ResourceHandlers, path: ResourcePath) throws -> JSONValue {
        guard let replicas = scale[path: ["spec", "replicas"]]?.int else {
            throw StatusError.invalid(kind: "Scale", group: "autoscaling", name: path.name ?? "", causes: [("spec.replicas", "Required value")])
        }
        guard replicas >= 0 else {
            throw StatusError.invalid(kind: "Scale", group: "autoscaling", name: path.name ?? "",
                                      causes: [("spec.replicas", "Invalid value: \(replicas): must be greater than or equal to 0")])
        }
        var main = path
        main.subresource = nil
        let expected = scale[path: ["metadata", "resourceVersion"]]?.string
        let result = try handlers.replace(main, expectedVersion: expected, strict: false) { current in
            var next = current
            next[path: ["spec", "replicas"]] = .int(replicas)
            return next
        }
        return try self.scale(of: result.object, type: path.type)
    }
}
