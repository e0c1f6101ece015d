import Foundation
import KubeAPI
import Logging
import WorkloadControllers

/// The workload controllers inside the agent: each pass runs `WorkloadControllers` over the
/// manifests' objects, the persisted `WorkloadState` (`<root>/workloads.json`) and the pods
/// as their workers wrote them; returns the controller pods that should run, publishes the
/// objects the CLI shows to the `ObjectStore`, and files the controllers' events.
final class WorkloadSync {
    let layout: NodeLayout
    let nodeName: String
    let store: ObjectStore
    let logger: Logger
    private(set) var state: WorkloadState
    private var random = SystemRandomNumberGenerator()
    /// When the agent first saw each ConfigMap, Secret and Namespace (`Kind/ns/name`), for AGE.
    private var firstSeen: [String: KubeTime] = [:]

    /// The kinds this sync publishes (Services and Endpoints are published by the Services code).
    static let publishedKinds = [
        "Deployment", "ReplicaSet", "DaemonSet", "Job", "CronJob", "ConfigMap", "Secret", "Namespace",
    ]

    init(layout: NodeLayout, nodeName: String, logger: Logger) {
        self.layout = layout
        self.nodeName = nodeName
        self.store = ObjectStore(root: layout.root)
        self.logger = logger
        self.state = JSONFile.read(WorkloadState.self, from: Self.stateFile(layout)) ?? WorkloadState()
        for kind in ["ConfigMap", "Secret", "Namespace"] {
            for object in store.list(kind: kind, namespace: nil) {
                if let created = object.metadata.creationTimestamp { firstSeen[Self.key(object)] = created }
            }
        }
    }

    static func stateFile(_ layout: NodeLayout) -> String { layout.root + "/workloads.json" }

    /// `<root>/requests`: `swiftlet delete pod` leaves `delete-pod-<uid>` files there.
    static func requestsDir(_ layout: NodeLayout) -> String { layout.root + "/requests" }

    private static func key(_ object: KubeObject) -> String {
        "\(object.kind)/\(object.metadata.namespace ?? "")/\(object.name)"
    }

    /// The pod uids users asked to delete since the last pass; the request files are consumed.
    func takeDeleteRequests() -> Set<String> {
        let dir = Self.requestsDir(layout)
        var uids: Set<String> = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where entry.hasPrefix(PodDeletion.prefix) {
            uids.insert(String(entry.dropFirst(PodDeletion.prefix.count)))
            unlink(dir + "/" + entry)
        }
        return uids
    }

    /// One controller pass; returns every controller-owned pod that should exist.
    func sync(objects: [KubeObject], observed: [Pod], deletedPods: Set<String>, now: Date = Date()) -> [Pod] {
        let owned = Set(state.pods.compactMap(\.metadata.uid))
        let deleted = deletedPods.intersection(owned)
        for uid in deleted {
            if let pod = state.pods.first(where: { $0.metadata.uid == uid }) {
                logger.info("pod \(pod.metadata.namespaceOrDefault)/\(pod.metadata.name ?? "") deleted by request")
            }
        }
        let result = WorkloadControllers.reconcile(
            objects: objects, state: state, observed: observed, deletedPods: deleted, nodeName: nodeName, now: now,
            random: &random)
        for event in result.events {
            let line = "\(event.kind) \(event.namespace)/\(event.name): \(event.reason): \(event.message)"
            if event.type == "Warning" { logger.warning("\(line)") } else { logger.info("\(line)") }
        }
        store.record(result.events, at: now)
        if result.state != state {
            do {
                try JSONFile.write(result.state, to: Self.stateFile(layout))
            } catch {
                logger.error("save workload state: \(error)")
            }
        }
        state = result.state
        publish(objects: objects, now: now)
        return state.pods
    }

    /// Writes every published kind to the ObjectStore (unchanged files stay untouched).
    private func publish(objects: [KubeObject], now: Date) {
        var byKind: [String: [KubeObject]] = [:]
        byKind["Deployment"] = state.deployments.map(KubeObject.deployment)
        byKind["ReplicaSet"] = state.replicaSets.map(KubeObject.replicaSet)
        byKind["DaemonSet"] = state.daemonSets.map(KubeObject.daemonSet)
        byKind["Job"] = state.jobs.map(KubeObject.job)
        byKind["CronJob"] = state.cronJobs.map(KubeObject.cronJob)
        var namespaces: [String: KubeObject] = [:]
        var used: Set<String> = [ObjectMeta.defaultNamespace]
        for object in objects {
            switch object {
            case .configMap, .secret:
                byKind[object.kind, default: []].append(stamped(object, now: now))
            case .namespace(var namespace):
                namespace.status = NamespaceStatus(phase: "Active")
                namespaces[object.name] = stamped(.namespace(namespace), now: now)
            default:
                break
            }
            if object.isNamespaced { used.insert(object.metadata.namespaceOrDefault) }
        }
        for pod in state.pods { used.insert(pod.metadata.namespaceOrDefault) }
        // Namespaces objects live in exist, as if created with them.
        for name in used where namespaces[name] == nil {
            let implied = KubeObject.namespace(
                Namespace(metadata: ObjectMeta(name: name), status: NamespaceStatus(phase: "Active")))
            namespaces[name] = stamped(implied, now: now)
        }
        byKind["Namespace"] = Array(namespaces.values)
        for kind in Self.publishedKinds {
            let list = byKind[kind] ?? []
            do {
                try store.replaceAll(kind: kind, objects: list)
            } catch {
                logger.error("publish \(kind): \(error)")
            }
            store.pruneEvents(kind: kind, keeping: list)
        }
    }

    /// The object with the creation time the agent first saw it at (and a stable uid).
    private func stamped(_ object: KubeObject, now: Date) -> KubeObject {
        var object = object
        let key = Self.key(object)
        let created = firstSeen[key] ?? KubeTime(truncating: now)
        firstSeen[key] = created
        object.metadata.creationTimestamp = created
        if object.isNamespaced, object.metadata.namespace == nil { object.metadata.namespace = ObjectMeta.defaultNamespace }
        return object
    }
}

/// `swiftlet delete pod` on a controller-owned pod: a request file the agent consumes,
/// terminating the pod and telling its controller, which replaces it.
public enum PodDeletion {
    static let prefix = "delete-pod-"

    /// Whether a controller owns the pod (so deleting its manifest is not the way).
    public static func isControllerOwned(_ pod: Pod) -> Bool {
        pod.metadata.ownerReferences?.contains { $0.controller == true } ?? false
    }

    /// Asks the agent under `root` to delete the pod; with `wait`, returns once the pod is
    /// gone (as kubectl waits), or fails after its grace period and a minute more.
    public static func delete(_ pod: Pod, root: String, wait: Bool) throws -> String {
        let layout = NodeLayout.load(root: root)
        let dir = WorkloadSync.requestsDir(layout)
        let uid = pod.metadata.uid ?? ""
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try AtomicFile.write(Data(), to: dir + "/" + prefix + uid)
        let done = "pod \"\(pod.metadata.name ?? "")\" deleted"
        guard wait else { return done }
        let deadline = Date().addingTimeInterval(TimeInterval(pod.spec.gracePeriodSeconds) + 60)
        while FileManager.default.fileExists(atPath: layout.podFile(uid: uid)) {
            guard Date() < deadline else {
                throw KubeletError("error: timed out waiting for pod \"\(pod.metadata.name ?? "")\" to be deleted (is the agent running?)")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return done
    }
}
