import APIStore
import Foundation
import KubeAPI
import Logging

/// The agent's side of the API store, once per pass: it reads the objects users created
/// through the API (they join the manifest directory's as the controllers' input), notices
/// controller pods users deleted, and publishes what the node has — manifest objects as
/// mirrors, the controllers' objects, every pod with its status, Services with their
/// ClusterIPs, Endpoints, the Node — writing only what changed.
final class APIObjectSync {
    let store: ResourceStore
    let nodeName: String
    let logger: Logger
    /// Decoded user objects by key, valid while the resourceVersion is the same.
    private var cache: [StoreKey: (version: String, object: KubeObject)] = [:]
    /// The metadata.generation of each user object as this pass read it.
    private var generations: [StoreKey: Int64] = [:]
    /// The users' objects this pass read.
    private(set) var userKeys: Set<StoreKey> = []
    /// Controller pods published last pass, by uid.
    private var publishedControllerPods: [String: StoreKey] = [:]

    init(store: ResourceStore, nodeName: String, logger: Logger) {
        self.store = store
        self.nodeName = nodeName
        self.logger = logger
        for item in store.list(resource: "pods").items where APIObjectOrigin(item) == .derived {
            if let uid = item[path: ["metadata", "uid"]]?.string, let key = Self.key(of: item, kind: "Pod") { publishedControllerPods[uid] = key }
        }
    }

    static func key(of object: JSONValue, kind: String) -> StoreKey? {
        guard let type = ResourceTypes.find(kind: kind), let name = object[path: ["metadata", "name"]]?.string else { return nil }
        return StoreKey(type, namespace: object[path: ["metadata", "namespace"]]?.string, name: name)
    }

    /// The user's objects: pods to run as they are (bound to this node), and the rest.
    func userObjects() -> (pods: [Pod], objects: [KubeObject]) {
        var pods: [Pod] = []
        var objects: [KubeObject] = []
        var seen: Set<StoreKey> = []
        generations = [:]
        for kind in APIObjects.userKinds {
            guard let type = ResourceTypes.find(kind: kind) else { continue }
            for item in store.list(resource: type.qualifiedName).items where APIObjectOrigin(item) == .user {
                guard let key = Self.key(of: item, kind: kind), let version = ResourceStore.version(of: item) else { continue }
                seen.insert(key)
                generations[key] = item[path: ["metadata", "generation"]]?.int
                let object: KubeObject
                if let cached = cache[key], cached.version == version {
                    object = cached.object
                } else if let decoded = APIObjects.typed(item) {
                    cache[key] = (version, decoded)
                    object = decoded
                } else {
                    continue
                }
                if case .pod(var pod) = object {
                    pod.spec.nodeName = nodeName
                    pods.append(pod)
                } else {
                    objects.append(object)
                }
            }
        }
        cache = cache.filter { seen.contains($0.key) }
        userKeys = seen
        return (pods, objects)
    }

    /// Controller pods that were published and are gone from the store: users deleted
    /// them through the API, so their controllers replace them.
    func deletedControllerPods() -> Set<String> {
        Set(publishedControllerPods.filter { store.get($0.value) == nil }.keys)
    }

    // MARK: Publishing

    /// Everything the agent owns, as it should now be in the store, and the status it gives
    /// users' objects.
    struct View {
        var owned: [StoreKey: JSONValue] = [:]
        /// Status (and server-set fields) for users' objects, applied over what they wrote.
        var userUpdates: [StoreKey: (inout JSONValue) -> Void] = [:]
    }

    func publish(_ view: View) {
        // Owned objects: written when changed, removed when no longer there. A controller
        // pod published before and gone now was deleted by a user while this pass ran: it
        // stays gone, and the next pass tells its controller.
        let deletedMeanwhile = deletedControllerPods()
        for (key, object) in view.owned {
            if let uid = object[path: ["metadata", "uid"]]?.string, deletedMeanwhile.contains(uid) { continue }
            write(key) { current in
                var next = object
                next[path: ["metadata", "resourceVersion"]] = current.flatMap { $0[path: ["metadata", "resourceVersion"]] }
                // A user's object of the same name is the user's; the agent's copy waits.
                if let current, APIObjectOrigin(current) == .user { return current }
                if let uid = current?[path: ["metadata", "uid"]], next[path: ["metadata", "uid"]] == nil { next[path: ["metadata", "uid"]] = uid }
                if next[path: ["metadata", "creationTimestamp"]] == nil {
                    next[path: ["metadata", "creationTimestamp"]] = current?[path: ["metadata", "creationTimestamp"]]
                        ?? .string(KubeTime.now().description)
                }
                return next
            }
        }
        let resources = Set(view.owned.keys.map(\.resource)).union(["pods", "services", "endpoints", "deployments.apps",
            "replicasets.apps", "daemonsets.apps", "jobs.batch", "cronjobs.batch", "configmaps", "secrets", "namespaces"])
        for resource in resources {
            for item in store.list(resource: resource).items where APIObjectOrigin(item).isAgents {
                guard let kind = item["kind"]?.string, let key = Self.key(of: item, kind: kind) else { continue }
                if view.owned[key] == nil, kind != "Node", kind != "Event" { _ = try? store.delete(key) }
            }
        }
        for (key, update) in view.userUpdates {
            write(key) { current in
                guard var current, APIObjectOrigin(current) == .user else { return current }
                update(&current)
                return current
            }
        }
        publishedControllerPods = publishedControllerPods.filter { deletedMeanwhile.contains($0.key) }
        for (key, object) in view.owned where key.resource == "pods" && APIObjectOrigin(object) == .derived {
            if let uid = object[path: ["metadata", "uid"]]?.string { publishedControllerPods[uid] = key }
        }
    }

    /// The generation of a user's object as this pass read it (for observedGeneration).
    func generation(of key: StoreKey) -> Int64? { generations[key] }

    private func write(_ key: StoreKey, _ transform: (JSONValue?) -> JSONValue?) {
        do {
            try store.write(key, transform)
        } catch {
            logger.error("API store: write \(key): \(error)")
        }
    }
}
