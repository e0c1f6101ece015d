import Foundation
import KubeAPI
import Logging
import Images
import Runtime

/// Keeps one pod to its spec on its own thread, as the kubelet's pod workers do: sandbox
/// (pinned namespaces + CNI), volumes, init containers, containers under monitors,
/// probes, restarts with back-off, status; and on request, termination with grace.
public final class PodWorker: @unchecked Sendable {
    public let pod: Pod
    public let uid: String
    let services: NodeServices
    let logger: Logger

    private let condition = NSCondition()
    private var terminateRequested = false
    private var stopRequested = false
    private var done = false

    // Worker-thread state.
    private var podIP: String?
    private var startTime: Date?
    private var sandboxReady = false
    private var sandboxRetryAt: Date?
    private var sandboxError: String?
    private var volumePaths: [String: String]?
    private var volumeRetryAt: Date?
    private var nextProjection = Date.distantPast
    /// How often configMap and secret volumes are re-projected from the current objects.
    static let projectionPeriod: TimeInterval = 1
    private var instances: [String: ContainerInstance] = [:]
    private var seenExits: Set<String> = []
    private var backOffs: [String: CrashLoopBackOff] = [:]
    private var probes: [String: ContainerProbes] = [:]
    private var waiting: [String: (reason: String, message: String?)] = [:]
    private var retryAt: [String: Date] = [:]
    private var imageIDs: [String: String] = [:]
    private var finished: PodPhaseDecision?
    private var lastStatus: PodStatus?
    private var events: PodEvents
    private let createdAt: KubeTime

    public init(pod: Pod, services: NodeServices) {
        self.pod = pod
        self.uid = pod.metadata.uid ?? ""
        self.services = services
        self.logger = {
            var logger = services.logger
            logger[metadataKey: "pod"] = "\(pod.metadata.namespace ?? "default")/\(pod.metadata.name ?? "")"
            return logger
        }()
        let savedEvents = JSONFile.read([PodEvent].self, from: services.layout.eventsFile(uid: pod.metadata.uid ?? ""))
        self.events = PodEvents(events: savedEvents ?? [])
        let saved = JSONFile.read(Pod.self, from: services.layout.podFile(uid: pod.metadata.uid ?? ""))
        self.lastStatus = saved?.status
        self.createdAt = saved?.metadata.creationTimestamp ?? KubeTime(Date())
    }

    public var name: String { pod.metadata.name ?? "" }
    public var namespace: String { pod.metadata.namespace ?? "default" }
    var spec: PodSpec { pod.spec }
    var layout: NodeLayout { services.layout }

    // MARK: Control from the agent

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "pod \(name)"
        thread.start()
    }

    /// Asks the worker to stop and remove the pod; returns at once.
    public func terminate() {
        condition.lock()
        terminateRequested = true
        condition.broadcast()
        condition.unlock()
    }

    /// Asks the worker to stop looking after the pod, leaving it running (agent shutdown).
    public func stop() {
        condition.lock()
        stopRequested = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the worker's thread has ended.
    public func wait(timeout: TimeInterval = .infinity) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !done {
            if !condition.wait(until: min(deadline, Date().addingTimeInterval(3600))) && Date() >= deadline { return false }
        }
        return true
    }

    public var isDone: Bool {
        condition.lock()
        defer { condition.unlock() }
        return done
    }

    private func run() {
        adopt()
        // The pod is on record before anything of it exists on the host, so an agent killed
        // from here on finds its sandbox, IP and containers through the pod file.
        if !FileManager.default.fileExists(atPath: layout.podFile(uid: uid)) { writeStatus(now: Date()) }
        while true {
            condition.lock()
            let terminate = terminateRequested
            let stop = stopRequested
            condition.unlock()
            if stop && !terminate { break }
            if terminate {
                terminatePod()
                break
            }
            sync()
            condition.lock()
            if !terminateRequested && !stopRequested {
                condition.wait(until: Date().addingTimeInterval(services.tick))
            }
            condition.unlock()
        }
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    // MARK: Sync

    /// Picks up what a previous agent left: the sandbox, its IP, the containers.
    private func adopt() {
        if let saved = JSONFile.read(PodNetworkRecord.self, from: layout.networkFile(uid: uid)),
           SandboxNamespaces(directory: layout.sandboxDir(uid: uid)).exists {
            podIP = saved.ip
            startTime = saved.startTime
            sandboxReady = true
        }
        for instance in adoptableInstances() {
            instances[instance.id] = instance
            if instance.exit != nil { seenExits.insert(instance.id) }
            if instance.exit == nil, let container = container(named: instance.labels.containerName) {
                probes[instance.id] = ContainerProbes(container: container)
            }
        }
    }

    /// How long a monitor launched by a previous agent may take to start its container.
    static let monitorStartWait: TimeInterval = 30

    /// The pod's containers on disk once every monitor a previous agent launched has said
    /// how its container fared. Those whose creation was cut short are removed: they are
    /// created again under the same attempt, so never duplicated and never counted as a
    /// restart.
    private func adoptableInstances() -> [ContainerInstance] {
        var found = services.containers.instances(podUID: uid)
        let deadline = Date().addingTimeInterval(Self.monitorStartWait)
        while found.contains(where: \.isStarting) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            found = found.map { services.containers.refresh($0) }
        }
        return found.filter { instance in
            guard instance.observation == nil else { return true }
            logger.info("removing container \(instance.id): its creation was interrupted")
            services.containers.remove(id: instance.id)
            return false
        }
    }

    private func sync() {
        let now = Date()
        if !sandboxReady {
            if let retry = sandboxRetryAt, now < retry {
                writeStatus(now: now)
                return
            }
            do {
                try setUpSandbox(now: now)
                sandboxError = nil
            } catch {
                sandboxError = "\(error)"
                sandboxRetryAt = now.addingTimeInterval(2)
                events.record("Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: \(error)", at: now)
                logger.error("sandbox: \(error)")
                writeStatus(now: now)
                return
            }
        }
        if volumePaths == nil {
            if let retry = volumeRetryAt, now < retry {
                writeStatus(now: now)
                return
            }
            do {
                var paths = try PodVolumes(directory: layout.volumesDir(uid: uid)).setUp(spec.volumes ?? [])
                for (name, path) in try configVolumes.setUp(store: services.configs.current) { paths[name] = path }
                volumePaths = paths
                volumeRetryAt = nil
                nextProjection = now.addingTimeInterval(Self.projectionPeriod)
            } catch {
                // As upstream: MountVolume.SetUp failed for volume "x" : configmap "y" not found.
                let message = (error as? ConfigVolumeError).map { "MountVolume.SetUp failed: \($0)" } ?? "\(error)"
                events.record("Warning", "FailedMount", message, at: now)
                for container in allContainers { waiting[container.name] = ("ContainerCreating", message) }
                volumeRetryAt = now.addingTimeInterval(1)
                writeStatus(now: now)
                return
            }
        } else if now >= nextProjection {
            nextProjection = now.addingTimeInterval(Self.projectionPeriod)
            let refreshed = configVolumes.refresh(store: services.configs.current)
            for name in refreshed.changed { logger.info("volume \(name) updated") }
            for (name, failure) in refreshed.failures {
                events.record("Warning", "FailedMount", "MountVolume.SetUp failed for volume \"\(name)\" : \(failure)", at: now)
            }
        }
        observe(now: now)
        let unhealthy = runProbes(now: now)
        let actions = PodActions.compute(PodSyncInput(
            restartPolicy: spec.restartPolicy ?? RestartPolicy.always, initContainers: (spec.initContainers ?? []).map(\.name),
            containers: spec.containers.map(\.name), observed: latestObservations(), backOffs: backOffs,
            unhealthy: unhealthy, now: now))
        for kill in actions.kill {
            events.record("Normal", "Killing", "Container \(kill.name) failed liveness probe, will be restarted", at: now)
            stopContainer(id: kill.id, grace: gracePeriod())
        }
        for name in actions.backingOff {
            let delay = backOffs[name]?.delay ?? CrashLoopBackOff.initial
            waiting[name] = ("CrashLoopBackOff", "back-off \(Int(delay))s restarting failed container=\(name) pod=\(self.name)_\(namespace)(\(uid))")
        }
        for start in actions.start {
            if let retry = retryAt[start.name], now < retry { continue }
            startContainer(start, now: now)
            // Init containers run one at a time: the next sync sees this one running.
            if start.isInit { break }
        }
        if let decision = actions.finished, finished == nil {
            finished = decision
            logger.info("pod \(decision.rawValue.lowercased())")
        }
        collectGarbage()
        writeStatus(now: now)
    }

    private var allContainers: [Container] { (spec.initContainers ?? []) + spec.containers }

    private var configVolumes: PodConfigVolumes {
        PodConfigVolumes(directory: layout.volumesDir(uid: uid), namespace: namespace, volumes: spec.volumes ?? [], logger: logger)
    }

    private func container(named name: String) -> Container? {
        allContainers.first { $0.name == name }
    }

    private func isInit(_ name: String) -> Bool {
        (spec.initContainers ?? []).contains { $0.name == name }
    }

    private func setUpSandbox(now: Date) throws {
        let sandbox = SandboxNamespaces(directory: layout.sandboxDir(uid: uid))
        let hostname = String((spec.hostname ?? name).prefix(63))
        // A sandbox a failed attempt or a killed agent left half-made goes first: CNI must
        // not see a second ADD without a DEL, and its namespaces may lack what a new one has.
        releaseSandbox()
        try sandbox.create(hostname: hostname)
        do {
            let ip = try services.network.setUp(podUID: uid, namespace: namespace, name: name, netns: sandbox.networkPath)
            let record = PodNetworkRecord(ip: ip, startTime: startTime ?? now)
            try FileManager.default.createDirectory(atPath: layout.podDir(uid: uid), withIntermediateDirectories: true)
            try writeNetworkFiles(ip: ip, hostname: hostname)
            // Written last: a restarted agent takes a sandbox with a record as complete.
            try JSONFile.write(record, to: layout.networkFile(uid: uid))
            podIP = ip
            startTime = record.startTime
        } catch {
            // Nothing of a failed attempt stays: no veth, no IP, no pinned namespace.
            releaseSandbox()
            throw error
        }
        sandboxReady = true
        events.record("Normal", "SandboxReady", "Pod sandbox ready with IP \(podIP ?? "")", at: now)
    }

    /// Detaches the sandbox from the network (CNI DEL) and unpins its namespaces, if it has any.
    private func releaseSandbox() {
        let sandbox = SandboxNamespaces(directory: layout.sandboxDir(uid: uid))
        if sandbox.exists || FileManager.default.fileExists(atPath: layout.networkFile(uid: uid)) {
            services.network.tearDown(podUID: uid, namespace: namespace, name: name, netns: sandbox.networkPath)
        }
        try? sandbox.remove()
        try? FileManager.default.removeItem(atPath: layout.networkFile(uid: uid))
    }

    private func writeNetworkFiles(ip: String, hostname: String) throws {
        let etc = layout.podEtcDir(uid: uid)
        try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
        let fqdn = spec.subdomain.map { "\(hostname).\($0).\(namespace).svc.cluster.local" }
        let aliases = (spec.hostAliases ?? []).map { (ip: $0.ip ?? "", hostnames: $0.hostnames ?? []) }
        try AtomicFile.write(Data(PodNetworkFiles.hosts(podIP: ip, hostname: hostname, subdomainFQDN: fqdn, aliases: aliases).utf8), to: etc + "/hosts")
        let resolv: String
        if spec.dnsPolicy == .default {
            resolv = services.nodeResolvConf
        } else {
            resolv = PodNetworkFiles.clusterFirstResolvConf(namespace: namespace, clusterDNS: services.clusterDNS, nodeResolvConf: services.nodeResolvConf)
        }
        try AtomicFile.write(Data(resolv.utf8), to: etc + "/resolv.conf")
        try AtomicFile.write(Data((hostname + "\n").utf8), to: etc + "/hostname")
    }

    /// Refreshes running instances and notes new exits (arming the back-off of containers
    /// that will restart).
    private func observe(now: Date) {
        for (id, instance) in instances where instance.exit == nil {
            instances[id] = services.containers.refresh(instance)
        }
        for (id, instance) in instances where instance.interrupted {
            // Its monitor ended before it could even record the container (a full disk):
            // create it again after a pause, as a failed creation.
            services.containers.remove(id: id)
            instances[id] = nil
            probes[id] = nil
            retryAt[instance.labels.containerName] = now.addingTimeInterval(2)
        }
        for (id, instance) in instances where instance.exit != nil && !seenExits.contains(id) {
            seenExits.insert(id)
            probes[id] = nil
            guard let exit = instance.exit else { continue }
            let name = instance.labels.containerName
            let policy = spec.restartPolicy ?? .always
            let restarts = isInit(name) ? (exit.exitCode != 0 && policy != .never) : policy.restarts(exitCode: exit.exitCode)
            if exit.oomKilled {
                events.record("Warning", "OOMKilled", "Container \(name) was OOM-killed", at: now)
            }
            if restarts {
                var backOff = backOffs[name] ?? CrashLoopBackOff()
                _ = backOff.recordCrash(at: now)
                backOffs[name] = backOff
                if exit.exitCode != 0 {
                    events.record("Warning", "BackOff", "Back-off restarting failed container \(name) in pod \(self.name)", at: now)
                }
            }
        }
    }

    /// The latest instance of each container by attempt.
    private func latestObservations() -> [String: ContainerObservation] {
        var latest: [String: ContainerInstance] = [:]
        for instance in instances.values {
            let name = instance.labels.containerName
            if let current = latest[name], current.labels.attempt >= instance.labels.attempt { continue }
            latest[name] = instance
        }
        return latest.compactMapValues(\.observation)
    }

    private func previousInstance(of name: String, before attempt: Int) -> ContainerInstance? {
        instances.values.filter { $0.labels.containerName == name && $0.labels.attempt < attempt }
            .max { $0.labels.attempt < $1.labels.attempt }
    }

    /// Runs due probes; returns the containers whose liveness or startup probe failed.
    private func runProbes(now: Date) -> Set<String> {
        var unhealthy: Set<String> = []
        let runner = ProbeRunner(containers: services.containers)
        for (id, instance) in instances where instance.exit == nil {
            guard let monitor = instance.monitor, let container = container(named: instance.labels.containerName),
                  var trackers = probes[id] else { continue }
            let startedAt = monitor.startedAt
            if let startup = trackers.startup, !startup.passing {
                if startup.isDue(now: now, startedAt: startedAt), let probe = container.startupProbe {
                    trackers.startup?.record(runner.run(probe, container: container, pod: pod, instanceID: id, podIP: podIP), at: now)
                    if trackers.startup?.failedThreshold == true {
                        events.record("Warning", "Unhealthy", "Startup probe failed: \(trackers.startup?.lastMessage ?? "")", at: now)
                        unhealthy.insert(container.name)
                    }
                }
                probes[id] = trackers
                continue
            }
            if let liveness = trackers.liveness, liveness.isDue(now: now, startedAt: startedAt), let probe = container.livenessProbe {
                let outcome = runner.run(probe, container: container, pod: pod, instanceID: id, podIP: podIP)
                trackers.liveness?.record(outcome, at: now)
                if case .failure(let message) = outcome {
                    events.record("Warning", "Unhealthy", "Liveness probe failed: \(message)", at: now)
                }
                if trackers.liveness?.passing == false { unhealthy.insert(container.name) }
            }
            if let readiness = trackers.readiness, readiness.isDue(now: now, startedAt: startedAt), let probe = container.readinessProbe {
                let outcome = runner.run(probe, container: container, pod: pod, instanceID: id, podIP: podIP)
                trackers.readiness?.record(outcome, at: now)
                if case .failure(let message) = outcome {
                    events.record("Warning", "Unhealthy", "Readiness probe failed: \(message)", at: now)
                }
            }
            probes[id] = trackers
        }
        return unhealthy
    }

    private func gracePeriod() -> TimeInterval {
        TimeInterval(spec.terminationGracePeriodSeconds ?? 30)
    }

    // MARK: Containers

    private func startContainer(_ start: PodActions.Start, now: Date) {
        guard let container = container(named: start.name) else { return }
        waiting[start.name] = ("ContainerCreating", nil)
        let image: PreparedImage
        do {
            image = try services.images.prepare(container.image ?? "", policy: container.imagePullPolicy ?? .ifNotPresent)
        } catch let error as ImageUnavailable {
            waiting[start.name] = (error.reason, error.message)
            retryAt[start.name] = now.addingTimeInterval(5)
            events.record("Warning", "Failed", "Error: \(error.reason): \(error.message)", at: now)
            return
        } catch {
            waiting[start.name] = ("ErrImagePull", "\(error)")
            retryAt[start.name] = now.addingTimeInterval(5)
            events.record("Warning", "Failed", "Error: ErrImagePull: \(error)", at: now)
            return
        }
        imageIDs[start.name] = image.id
        let id = ContainerID.make(podUID: uid, container: start.name, attempt: start.attempt)
        let logPath = layout.containerLog(namespace: namespace, pod: name, uid: uid, container: start.name, restartCount: start.attempt)
        let labels = ContainerLabels(
            podUID: uid, podName: name, namespace: namespace, containerName: start.name, attempt: start.attempt,
            isInit: start.isInit, image: container.image ?? "", imageID: image.id, logPath: logPath, createdAt: now)
        do {
            let rootfs = try services.containers.prepare(id: id, labels: labels, layers: image.layers)
            let context = PodContext(
                pod: pod, podIP: podIP, hostIP: services.hostIP, volumePaths: volumePaths ?? [:],
                etcHosts: layout.podEtcDir(uid: uid) + "/hosts", resolvConf: layout.podEtcDir(uid: uid) + "/resolv.conf",
                hostnameFile: layout.podEtcDir(uid: uid) + "/hostname",
                lookup: { [configSource = services.configSource] kind, namespace, name, _ in configSource(kind, namespace, name) })
            let users = (try? UserDatabase.load(rootfs: rootfs)) ?? UserDatabase()
            let config = try ContainerConfigBuilder.build(container: container, image: image.config, users: users, context: context)
            let sandbox = SandboxNamespaces(directory: layout.sandboxDir(uid: uid))
            let pidNamespace = spec.shareProcessNamespace == true ? try sharedPIDNamespace.path() : nil
            let placement = ContainerPlacement(
                networkNamespace: sandbox.networkPath, ipcNamespace: sandbox.ipcPath, utsNamespace: sandbox.utsPath,
                pidNamespace: pidNamespace, cgroupsPath: podCgroup + "/" + id, rootfs: "rootfs")
            let spec = try OCISpecGenerator.spec(for: config, placement: placement)
            try services.containers.start(id: id, spec: spec, logPath: logPath)
            waiting[start.name] = nil
            retryAt[start.name] = nil
            let instance = services.containers.refresh(ContainerInstance(id: id, labels: labels))
            instances[id] = instance
            probes[id] = ContainerProbes(container: container)
            events.record("Normal", "Started", "Started container \(start.name)", at: now)
        } catch let error as ContainerConfigError {
            services.containers.remove(id: id)
            waiting[start.name] = ("CreateContainerConfigError", error.description)
            retryAt[start.name] = now.addingTimeInterval(2)
            events.record("Warning", "Failed", "Error: \(error.description)", at: now)
        } catch {
            services.containers.remove(id: id)
            waiting[start.name] = ("CreateContainerError", "\(error)")
            retryAt[start.name] = now.addingTimeInterval(2)
            events.record("Warning", "Failed", "Error: \(error)", at: now)
            logger.error("start container \(start.name): \(error)")
        }
    }

    private var sharedPIDNamespace: SharedPIDNamespace {
        SharedPIDNamespace(directory: layout.sandboxDir(uid: uid) + SharedPIDNamespace.directorySuffix)
    }

    /// `/swiftlet/pod<uid>`: the pod's cgroup, parent of its containers' cgroups.
    private var podCgroup: String {
        services.cgroupParent + "/pod" + uid
    }

    private func stopContainer(id: String, grace: TimeInterval) {
        guard let instance = instances[id], instance.exit == nil else { return }
        instances[id] = stopInstance(instance, grace: grace)
    }

    /// preStop, then SIGTERM, then SIGKILL once `grace` has passed; returns the instance
    /// once it has exited. Touches no worker state, so several can run at once.
    private func stopInstance(_ instance: ContainerInstance, grace: TimeInterval) -> ContainerInstance {
        let deadline = Date().addingTimeInterval(grace)
        if let container = container(named: instance.labels.containerName), let preStop = container.lifecycle?.preStop {
            if let sleep = preStop.sleep {
                Thread.sleep(forTimeInterval: min(TimeInterval(sleep.seconds), grace))
            } else {
                let runner = ProbeRunner(containers: services.containers)
                _ = runner.run(exec: preStop.exec, httpGet: preStop.httpGet, tcpSocket: preStop.tcpSocket, container: container,
                               pod: pod, instanceID: instance.id, podIP: podIP, timeout: max(1, grace))
            }
        }
        services.containers.signal(id: instance.id, SIGTERM)
        var instance = waitForExit(instance, until: deadline)
        if instance.exit == nil {
            services.containers.signal(id: instance.id, SIGKILL)
            instance = waitForExit(instance, until: Date().addingTimeInterval(10))
        }
        return instance
    }

    private func waitForExit(_ instance: ContainerInstance, until deadline: Date) -> ContainerInstance {
        var instance = services.containers.refresh(instance)
        while instance.exit == nil && instance.monitor != nil && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            instance = services.containers.refresh(instance)
        }
        return instance
    }

    /// Keeps the latest two instances of each container (the current and the last state).
    private func collectGarbage() {
        var byName: [String: [ContainerInstance]] = [:]
        for instance in instances.values { byName[instance.labels.containerName, default: []].append(instance) }
        for (_, list) in byName where list.count > 2 {
            for old in list.sorted(by: { $0.labels.attempt > $1.labels.attempt }).dropFirst(2) where old.exit != nil {
                services.containers.remove(id: old.id)
                instances[old.id] = nil
            }
        }
    }

    // MARK: Termination

    private func terminatePod() {
        let now = Date()
        events.record("Normal", "Killing", "Stopping pod", at: now)
        markTerminating(at: now)
        let grace = gracePeriod()
        // Every container gets its grace period at once, as upstream.
        let running = instances.values.filter { $0.exit == nil }
        let stopped = UnsafeMutableBufferPointer<ContainerInstance>.allocate(capacity: running.count)
        defer { stopped.deallocate() }
        DispatchQueue.concurrentPerform(iterations: running.count) { index in
            (stopped.baseAddress! + index).initialize(to: stopInstance(running[index], grace: grace))
        }
        for instance in stopped { instances[instance.id] = instance }
        for id in instances.keys { services.containers.remove(id: id) }
        for leftover in services.containers.instances(podUID: uid) { services.containers.remove(id: leftover.id) }
        releaseSandbox()
        sharedPIDNamespace.remove()
        try? FileManager.default.removeItem(atPath: sharedPIDNamespace.directory)
        PodVolumes(directory: layout.volumesDir(uid: uid)).tearDown()
        if let cgroup = try? Cgroups.manager(path: podCgroup) { try? cgroup.destroy() }
        try? FileManager.default.removeItem(atPath: layout.podDir(uid: uid))
        try? FileManager.default.removeItem(atPath: layout.podLogDir(namespace: namespace, name: name, uid: uid))
        logger.info("pod removed")
    }

    // MARK: Status

    /// Shows the pod as Terminating (deletionTimestamp set) while it stops, so Services drop
    /// it from their endpoints at once, as upstream.
    private func markTerminating(at now: Date) {
        guard var current = JSONFile.read(Pod.self, from: layout.podFile(uid: uid)) else { return }
        current.metadata.deletionTimestamp = KubeTime(now)
        current.metadata.deletionGracePeriodSeconds = spec.terminationGracePeriodSeconds ?? 30
        try? JSONFile.write(current, to: layout.podFile(uid: uid))
    }

    private func writeStatus(now: Date) {
        var views: [String: ContainerView] = [:]
        let latest = latestObservations()
        for container in allContainers {
            var view = ContainerView(name: container.name, image: container.image ?? "")
            view.imageID = imageIDs[container.name] ?? ""
            view.current = latest[container.name]
            if let current = view.current {
                view.previous = previousInstance(of: container.name, before: current.attempt)?.observation
                if view.imageID.isEmpty {
                    view.imageID = instances[current.id]?.labels.imageID ?? ""
                }
            }
            if let (reason, message) = waiting[container.name] {
                // A running container's own state wins over a stale waiting reason.
                if view.current?.isRunning != true {
                    view.waitingReason = reason
                    view.waitingMessage = message
                }
            } else if view.current == nil, let sandboxError {
                view.waitingReason = "ContainerCreating"
                view.waitingMessage = sandboxError
            }
            if let current = view.current, current.isRunning, let trackers = probes[current.id] {
                view.started = trackers.started
                view.ready = trackers.started && (trackers.readiness?.passing ?? true)
            } else if let current = view.current, current.isRunning {
                view.started = true
                view.ready = true
            } else {
                view.started = view.current == nil ? nil : false
            }
            views[container.name] = view
        }
        let status = PodStatusBuilder.build(PodStatusBuilder.Input(
            pod: pod, initContainers: (spec.initContainers ?? []).compactMap { views[$0.name] },
            containers: spec.containers.compactMap { views[$0.name] }, podIP: podIP, hostIP: services.hostIP,
            startTime: startTime, finished: finished, previous: lastStatus, now: now))
        if status != lastStatus {
            var current = pod
            current.metadata.creationTimestamp = createdAt
            current.status = status
            try? FileManager.default.createDirectory(atPath: layout.podDir(uid: uid), withIntermediateDirectories: true)
            do {
                try JSONFile.write(current, to: layout.podFile(uid: uid))
                lastStatus = status
            } catch {
                logger.error("write status: \(error)")
            }
        }
        events.save(to: layout.eventsFile(uid: uid))
    }

    /// The pod's status as last written.
    public var status: PodStatus? {
        JSONFile.read(Pod.self, from: layout.podFile(uid: uid))?.status
    }
}

/// The pod's network attachment, kept so a restarted agent knows the pod's IP.
struct PodNetworkRecord: Codable, Sendable {
    var ip: String
    var startTime: Date
}
