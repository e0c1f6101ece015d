import Foundation
import KubeAPI
import Logging

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
    /// Events filed from outside the worker's thread, recorded on its next pass.
    private var posted: [(type: String, reason: String, message: String)] = []

    // Worker-thread state: only the worker's thread touches it, here and in the
    // PodWorker+*.swift extensions.
    var podIP: String?
    var startTime: Date?
    var sandboxReady = false
    var sandboxRetryAt: Date?
    var sandboxError: String?
    var volumePaths: [String: String]?
    var volumeRetryAt: Date?
    var nextProjection = Date.distantPast
    var instances: [String: ContainerInstance] = [:]
    var seenExits: Set<String> = []
    var backOffs: [String: CrashLoopBackOff] = [:]
    var probes: [String: ContainerProbes] = [:]
    var waiting: [String: (reason: String, message: String?)] = [:]
    var retryAt: [String: Date] = [:]
    var imageIDs: [String: String] = [:]
    var finished: PodPhaseDecision?
    var lastStatus: PodStatus?
    var events: PodEvents
    let createdAt: KubeTime

    public init(pod: Pod, services: NodeServices) {
        self.pod = pod
        self.uid = pod.metadata.uid ?? ""
        self.services = services
        self.logger = {
            var logger = services.logger
            logger[metadataKey: "pod"] = "\(pod.metadata.namespaceOrDefault)/\(pod.metadata.name ?? "")"
            return logger
        }()
        let savedEvents = JSONFile.read([PodEvent].self, from: services.layout.eventsFile(uid: pod.metadata.uid ?? ""))
        self.events = PodEvents(events: savedEvents ?? [])
        let saved = JSONFile.read(Pod.self, from: services.layout.podFile(uid: pod.metadata.uid ?? ""))
        self.lastStatus = saved?.status
        self.createdAt = saved?.metadata.creationTimestamp ?? KubeTime(Date())
    }

    public var name: String { pod.metadata.name ?? "" }
    public var namespace: String { pod.metadata.namespaceOrDefault }
    var spec: PodSpec { pod.spec }
    var layout: NodeLayout { services.layout }

    // MARK: Spec

    var allContainers: [Container] { (spec.initContainers ?? []) + spec.containers }

    func container(named name: String) -> Container? {
        allContainers.first { $0.name == name }
    }

    func isInit(_ name: String) -> Bool {
        (spec.initContainers ?? []).contains { $0.name == name }
    }

    /// The pod's termination grace period, upstream's 30 s unless the spec says.
    var gracePeriodSeconds: Int { spec.gracePeriodSeconds }

    func gracePeriod() -> TimeInterval {
        TimeInterval(gracePeriodSeconds)
    }

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

    /// Files an event on the pod from the agent's thread (a manifest declaring the pod's
    /// name again); the worker records it with its own events on its next pass.
    public func post(_ type: String, _ reason: String, _ message: String) {
        condition.lock()
        posted.append((type, reason, message))
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
            let inbox = posted
            posted = []
            condition.unlock()
            for event in inbox { events.record(event.type, event.reason, event.message) }
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
}
