import APIStore
import Foundation
import Logging

/// What happens to an object's dependents (objects whose ownerReferences name its uid)
/// when it is deleted, as the garbage collector does it: deleted with it (Background,
/// Foreground; recursively) or left without the reference (Orphan).
struct GarbageCollector {
    let store: ResourceStore
    let logger: Logger

    func collect(ownerUID: String?, policy: String) {
        guard let ownerUID, !ownerUID.isEmpty else { return }
        for type in ResourceTypes.all {
            for item in store.list(resource: type.qualifiedName).items {
                let owners = item[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
                guard owners.contains(where: { $0["uid"]?.string == ownerUID }) else { continue }
                let key = StoreKey(type, namespace: item[path: ["metadata", "namespace"]]?.string,
                                   name: item[path: ["metadata", "name"]]?.string ?? "")
                do {
                    if policy == "Orphan" {
                        try store.write(key) { current in
                            guard var current else { return nil }
                            let kept = owners.filter { $0["uid"]?.string != ownerUID }
                            current[path: ["metadata", "ownerReferences"]] = kept.isEmpty ? nil : .array(kept)
                            return current
                        }
                    } else {
                        let deleted = try store.delete(key)
                        collect(ownerUID: deleted[path: ["metadata", "uid"]]?.string, policy: policy)
                    }
                } catch StoreError.notFound {
                } catch {
                    logger.error("garbage collection of \(key): \(error)")
                }
            }
        }
    }

    /// A deleted namespace takes every object in it.
    func emptyNamespace(_ namespace: String) {
        for type in ResourceTypes.all where type.namespaced {
            for item in store.list(resource: type.qualifiedName, namespace: namespace).items {
                let key = StoreKey(type, namespace: namespace, name: item[path: ["metadata", "name"]]?.string ?? "")
                _ = try? store.delete(key)
            }
        }
    }
}
