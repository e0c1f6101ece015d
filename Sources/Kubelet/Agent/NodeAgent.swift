import Foundation
import KubeAPI
import Logging

/// The node agent's control loop (`swiftlet run`): reads the manifest directory on inotify
/// events and every `resync`, runs the workload controllers, and keeps one `PodWorker` per
/// desired pod (static or controller-owned). Pods left by an earlier agent are adopted;
/// pods no longer desired are terminated.
public final class NodeAgent: @unchecked Sendable {
    public let manifests: String
    public let services: NodeServices
    public let resync: TimeInterval
    let logger: Logger
    private var workers: [String: PodWorker] = [:]
    private var terminating: Set<String> = []
    private var reportedProblems: Set<String> = []
    private let stopLock = NSLock()
    private var stopping = false
    /// Called after each pass with the desired state (kube-proxy, DNS and controllers hook in here).
    public var onSync: ((DesiredState, [Pod]) -> Void)?

    public init(manifests: String, services: NodeServices, resync: TimeInterval = 10) {
        self.manifests = manifests
        self.services = services
        self.resync = resync
        self.logger = services.logger
    }

    /// Asks `run` to return, leaving every pod running.
    public func stop() {
        stopLock.lock()
        stopping = true
        stopLock.unlock()
    }

    private var shouldStop: Bool {
        stopLock.lock()
        defer { stopLock.unlock() }
        return stopping
    }

    /// Runs until `stop()`: returns once every worker has let go of its pod.
    public func run() throws {
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: services.layout.podsDir, withIntermediateDirectories: true)
        let watcher = try DirectoryWatcher(path: manifests)
        let source = ManifestSource(path: manifests, nodeName: services.nodeName)
        let workloads = WorkloadSync(layout: services.layout, nodeName: services.nodeName, logger: logger)
        var first = true
        while !shouldStop {
            let state = source.read()
            report(state.problems)
            let objects = state.objects.map(\.object)
            services.configs.current = ConfigStore(objects: objects)
            if first {
                adopt(desired: state.pods + workloads.state.pods)
                first = false
            }
            let controllerPods = workloads.sync(
                objects: objects, observed: runningPods(), deletedPods: workloads.takeDeleteRequests())
            reconcile(state.pods + controllerPods)
            onSync?(state, runningPods())
            // While pods terminate, look again soon so their replacements start promptly.
            watcher.wait(timeout: terminating.isEmpty ? min(resync, 1) : 0.1)
        }
        for worker in workers.values { worker.stop() }
        for worker in workers.values { _ = worker.wait(timeout: 60) }
    }

    /// The pods as their workers last wrote them.
    public func runningPods() -> [Pod] {
        workers.values.compactMap { JSONFile.read(Pod.self, from: services.layout.podFile(uid: $0.uid)) }
    }

    private func report(_ problems: [String]) {
        let current = Set(problems)
        for problem in problems where !reportedProblems.contains(problem) {
            logger.error("\(problem)")
        }
        reportedProblems = current
        try? JSONFile.write(problems, to: services.layout.root + "/manifest-problems.json")
    }

    /// Pods on disk from an earlier agent: adopted when still desired, else terminated.
    private func adopt(desired: [Pod]) {
        let wanted = Set(desired.compactMap(\.metadata.uid))
        let uids = (try? FileManager.default.contentsOfDirectory(atPath: services.layout.podsDir)) ?? []
        var pods: [String: Pod] = [:]
        for uid in uids.sorted() {
            guard let pod = JSONFile.read(Pod.self, from: services.layout.podFile(uid: uid)) else {
                try? FileManager.default.removeItem(atPath: services.layout.podDir(uid: uid))
                continue
            }
            pods[uid] = pod
        }
        OrphanSweep(services: services).run(knownPods: Set(pods.keys))
        for (uid, pod) in pods.sorted(by: { $0.key < $1.key }) {
            let worker = PodWorker(pod: pod, services: services)
            workers[uid] = worker
            if wanted.contains(uid) {
                logger.info("adopting pod \(pod.metadata.namespaceOrDefault)/\(pod.metadata.name ?? "")")
            } else {
                worker.terminate()
                terminating.insert(uid)
            }
            worker.start()
        }
    }

    private func reconcile(_ desired: [Pod]) {
        let wanted = Dictionary(desired.map { ($0.metadata.uid ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        for (uid, worker) in workers where wanted[uid] == nil && !terminating.contains(uid) {
            logger.info("terminating pod \(worker.namespace)/\(worker.name)")
            worker.terminate()
            terminating.insert(uid)
        }
        for uid in terminating where workers[uid]?.isDone ?? true {
            workers[uid] = nil
            terminating.remove(uid)
        }
        for (uid, pod) in wanted where workers[uid] == nil {
            // As the kubelet, a replaced static pod starts once its predecessor is gone.
            let fullName = "\(pod.metadata.namespaceOrDefault)/\(pod.metadata.name ?? "")"
            if terminating.contains(where: { workers[$0].map { "\($0.namespace)/\($0.name)" } == fullName }) { continue }
            logger.info("starting pod \(fullName)")
            let worker = PodWorker(pod: pod, services: services)
            workers[uid] = worker
            worker.start()
        }
    }
}
