import Foundation
import KubeAPI
import WorkloadControllers
import KubeAPIServer
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
    /// The duplicate manifests whose event has been filed on the object keeping the name.
    private var announced: Set<ManifestDuplicate> = []
    private let stopLock = NSLock()
    private var stopping = false
    /// Called after each pass with the desired state (kube-proxy, DNS and controllers hook in here).
    /// Objects users created through the API are in it with an empty file name.
    public var onSync: ((DesiredState, [Pod]) -> Void)?
    /// The API store: users' objects join the manifests', and the node's state is published there.
    var api: APIObjectSync?
    /// The Ingress controller, fed after each publish.
    var ingress: IngressSync?
    /// The resource metrics (served as `metrics.k8s.io`) and the HPA controller they feed.
    var metrics: (sampler: ResourceMetricsSampler, routes: MetricsRoutes, autoscaler: AutoscalerSync)?
    /// The node's own metrics (`/metrics`): pod start latency, running pods and containers.
    var prometheus: NodePrometheus?
    /// When this agent first saw each pod it started (not adopted ones), until it runs.
    private var firstSeen: [String: Date] = [:]
    /// Wakes the loop early (an API write); set while `run` runs.
    public private(set) var wake: (@Sendable () -> Void)?

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
        wake = { watcher.wake() }
        let source = ManifestSource(path: manifests, nodeName: services.nodeName, ownersFile: services.layout.manifestOwnersFile)
        // Pods an earlier agent left running keep their names against any other file.
        source.recordOwners(of: podsOnDisk().map(\.pod))
        let workloads = WorkloadSync(layout: services.layout, nodeName: services.nodeName, logger: logger)
        var first = true
        while !shouldStop {
            var state = source.read()
            report(state.problems)
            let user = api?.userObjects() ?? (pods: [], objects: [])
            state.objects += user.objects.map { (file: "", object: $0) }
            let objects = state.objects.map(\.object)
            services.configs.current = ConfigStore(objects: objects)
            if first {
                adopt(desired: state.pods + user.pods + workloads.state.pods)
                first = false
            }
            let deleted = workloads.takeDeleteRequests().union(api?.deletedControllerPods() ?? [])
            let controllerPods = workloads.sync(objects: objects, observed: runningPods(), deletedPods: deleted)
            let desired = state.pods + user.pods + controllerPods
            reconcile(desired)
            announce(state.duplicates)
            let running = runningPods()
            observeStarts(running)
            onSync?(state, running)
            if let api { publish(api, state: state, desired: desired, running: running, workloads: workloads.state) }
            if let metrics, metrics.sampler.sample(pods: running, now: Date()) {
                metrics.routes.update(metrics.sampler.snapshot)
                metrics.autoscaler.sync(pods: running, metrics: metrics.sampler.snapshot, now: Date())
            }
            // While pods terminate, look again soon so their replacements start promptly.
            watcher.wait(timeout: terminating.isEmpty ? min(resync, 1) : 0.1)
        }
        for worker in workers.values { worker.stop() }
        for worker in workers.values { _ = worker.wait(timeout: 60) }
    }

    /// The node's state into the API store.
    private func publish(_ api: APIObjectSync, state: DesiredState, desired: [Pod], running: [Pod], workloads: WorkloadState) {
        var builder = APIViewBuilder(sync: api, nodeName: services.nodeName, state: state)
        builder.addPods(desired: desired, running: running)
        builder.addWorkloads(workloads)
        builder.addFileObjects(state)
        let published = ObjectStore(root: services.layout.root)
        let publishedServices = published.list(kind: "Service", namespace: nil)
        let endpoints = published.list(kind: "Endpoints", namespace: nil)
        builder.addServices(publishedServices, endpoints: endpoints)
        builder.addEvents(pods: desired, layout: services.layout)
        api.publish(builder.view)
        ingress?.sync(services: publishedServices, endpoints: endpoints, objects: state.objects.map(\.object))
    }

    /// Pod start latency (first seen → Running, kubelet_pod_start_duration_seconds), and the
    /// running pods, containers and restarts.
    private func observeStarts(_ pods: [Pod]) {
        guard let prometheus else { return }
        let now = Date()
        var containers = 0
        var restarts: [ContainerRestarts] = []
        for pod in pods {
            let statuses = pod.status?.containerStatuses ?? []
            containers += statuses.filter { $0.state?.running != nil }.count
            for status in statuses {
                restarts.append(ContainerRestarts(namespace: pod.metadata.namespace ?? "default", pod: pod.metadata.name ?? "",
                                                  container: status.name, count: status.restartCount))
            }
            guard let uid = pod.metadata.uid, let seen = firstSeen[uid], pod.status?.phase == .running else { continue }
            prometheus.podStartDuration.record(now.timeIntervalSince(seen))
            firstSeen[uid] = nil
        }
        firstSeen = firstSeen.filter { workers[$0.key] != nil }
        prometheus.setRunning(pods: pods.filter { $0.status?.phase == .running }.count, containers: containers, restarts: restarts)
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

    /// The pods on disk by uid, from an earlier agent (before the first pass); pod dirs
    /// without a readable pod file are removed.
    private func podsOnDisk() -> [(uid: String, pod: Pod)] {
        let uids = (try? FileManager.default.contentsOfDirectory(atPath: services.layout.podsDir)) ?? []
        return uids.sorted().compactMap { uid in
            guard let pod = JSONFile.read(Pod.self, from: services.layout.podFile(uid: uid)) else {
                try? FileManager.default.removeItem(atPath: services.layout.podDir(uid: uid))
                return nil
            }
            return (uid, pod)
        }
    }

    /// Pods on disk from an earlier agent: adopted when still desired, else terminated.
    private func adopt(desired: [Pod]) {
        let wanted = Set(desired.compactMap(\.metadata.uid))
        let pods = Dictionary(podsOnDisk().map { ($0.uid, $0.pod) }, uniquingKeysWith: { first, _ in first })
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
            firstSeen[uid] = Date()
            let worker = PodWorker(pod: pod, services: services)
            workers[uid] = worker
            worker.start()
        }
    }

    /// Files a Warning event, once per duplicate, on the object that kept its name (as the
    /// kubelet's `FailedValidation` for a pod name used twice); the error line is in `report`.
    private func announce(_ duplicates: [ManifestDuplicate]) {
        var next: Set<ManifestDuplicate> = []
        var objectEvents: [WorkloadEvent] = []
        for duplicate in duplicates {
            if announced.contains(duplicate) {
                next.insert(duplicate)
                continue
            }
            let message = "\(duplicate.kind) \(duplicate.namespace)/\(duplicate.name) from \(duplicate.newcomer) ignored: "
                + "duplicate name \"\(duplicate.name)\", already defined in \(duplicate.owner)"
            if duplicate.kind == "Pod" {
                // The owner's pod; none while the owner file is broken, so later.
                let podName = "\(duplicate.name)-\(services.nodeName.lowercased())"
                guard let owner = workers.first(where: {
                    !terminating.contains($0.key) && $0.value.name == podName && $0.value.namespace == duplicate.namespace
                })?.value else { continue }
                owner.post("Warning", "FailedValidation", message)
            } else {
                objectEvents.append(WorkloadEvent(
                    type: "Warning", kind: duplicate.kind, namespace: duplicate.namespace, name: duplicate.name,
                    reason: "FailedValidation", message: message))
            }
            next.insert(duplicate)
        }
        if !objectEvents.isEmpty { ObjectStore(root: services.layout.root).record(objectEvents) }
        announced = next
    }
}
