import Foundation
import KubeAPI

/// What a pod worker knows about one of the pod's containers when it writes status.
public struct ContainerView: Sendable, Equatable {
    public var name: String
    public var image: String
    public var imageID: String = ""
    /// The latest instance, and the one before it (for `lastState`).
    public var current: ContainerObservation?
    public var previous: ContainerObservation?
    /// Why the container is not running, when it is waiting (ContainerCreating,
    /// CrashLoopBackOff, ErrImagePull, CreateContainerConfigError…).
    public var waitingReason: String?
    public var waitingMessage: String?
    public var ready = false
    public var started: Bool?

    public init(name: String, image: String) {
        self.name = name
        self.image = image
    }
}

/// Pod status as upstream computes it (`generateAPIPodStatus`, `getPhase`): container
/// states and reasons, phase, and the Initialized / ContainersReady / Ready conditions.
/// Pure: the worker supplies what it observed and the previous status for transition times.
public enum PodStatusBuilder {
    public struct Input: Sendable {
        public var pod: Pod
        public var initContainers: [ContainerView]
        public var containers: [ContainerView]
        public var podIP: String?
        public var hostIP: String?
        public var startTime: Date?
        /// Set when the pod has reached Succeeded or Failed for good.
        public var finished: PodPhaseDecision?
        public var previous: PodStatus?
        public var now: Date

        public init(
            pod: Pod, initContainers: [ContainerView], containers: [ContainerView], podIP: String?, hostIP: String?,
            startTime: Date?, finished: PodPhaseDecision? = nil, previous: PodStatus? = nil, now: Date
        ) {
            self.pod = pod
            self.initContainers = initContainers
            self.containers = containers
            self.podIP = podIP
            self.hostIP = hostIP
            self.startTime = startTime
            self.finished = finished
            self.previous = previous
            self.now = now
        }
    }

    public static func build(_ input: Input) -> PodStatus {
        var status = PodStatus()
        let initStatuses = input.initContainers.map { containerStatus($0) }
        let initialized = input.initContainers.allSatisfy { $0.current?.exitCode == 0 }
        // App containers wait for the init containers as PodInitializing, as upstream.
        let statuses = input.containers.map { containerStatus($0, notCreated: initialized ? "ContainerCreating" : "PodInitializing") }
        status.initContainerStatuses = initStatuses.isEmpty ? nil : initStatuses
        status.containerStatuses = statuses
        status.podIP = input.podIP
        status.podIPs = input.podIP.map { [PodIP(ip: $0)] }
        status.hostIP = input.hostIP
        status.hostIPs = input.hostIP.map { [HostIP(ip: $0)] }
        status.startTime = input.startTime.map { KubeTime($0) }
        status.qosClass = QOSClass.of(input.pod)
        let restartPolicy = input.pod.spec.restartPolicy ?? .always
        status.phase = input.finished.map { $0 == .succeeded ? PodPhase.succeeded : .failed }
            ?? phase(initialized: initialized, initStatuses: initStatuses, statuses: statuses, restartPolicy: restartPolicy)
        let containersReady = !statuses.isEmpty && statuses.allSatisfy(\.ready)
        let terminal = status.phase == .succeeded || status.phase == .failed
        var conditions: [PodCondition] = []
        conditions.append(condition("PodReadyToStartContainers", input.podIP != nil || input.pod.spec.hostNetwork == true, input))
        conditions.append(condition("Initialized", initialized || terminal && initialized, input,
                                    reason: initialized ? nil : "ContainersNotInitialized",
                                    message: initialized ? nil : notReadyMessage("containers with incomplete status", input.initContainers.filter { $0.current?.exitCode != 0 })))
        let notReady = input.containers.filter { !$0.ready }
        let readyReason = terminal ? "PodCompleted" : "ContainersNotReady"
        conditions.append(condition("ContainersReady", containersReady && !terminal, input,
                                    reason: containersReady && !terminal ? nil : readyReason,
                                    message: containersReady || terminal ? nil : notReadyMessage("containers with unready status", notReady)))
        conditions.append(condition("Ready", containersReady && !terminal, input,
                                    reason: containersReady && !terminal ? nil : readyReason,
                                    message: containersReady || terminal ? nil : notReadyMessage("containers with unready status", notReady)))
        conditions.append(condition("PodScheduled", true, input))
        status.conditions = conditions
        return status
    }

    static func notReadyMessage(_ what: String, _ views: [ContainerView]) -> String {
        "\(what): [\(views.map(\.name).joined(separator: " "))]"
    }

    static func condition(_ type: String, _ value: Bool, _ input: Input, reason: String? = nil, message: String? = nil) -> PodCondition {
        let status: ConditionStatus = value ? .true : .false
        let previous = input.previous?.conditions?.first { $0.type == type }
        let transition = previous?.status == status ? previous?.lastTransitionTime : KubeTime(input.now)
        return PodCondition(type: type, status: status, lastProbeTime: nil, lastTransitionTime: transition, reason: reason, message: message)
    }

    /// Upstream `getPhase`.
    static func phase(initialized: Bool, initStatuses: [ContainerStatus], statuses: [ContainerStatus], restartPolicy: RestartPolicy) -> PodPhase {
        if !initialized {
            let failedInit = initStatuses.contains { ($0.state?.terminated?.exitCode ?? 0) != 0 || ($0.lastState?.terminated?.exitCode ?? 0) != 0 && $0.state?.running == nil }
            if failedInit && restartPolicy == .never { return .failed }
            return .pending
        }
        var running = 0, waiting = 0, stopped = 0, succeeded = 0
        for status in statuses {
            if status.state?.running != nil {
                running += 1
            } else if let terminated = status.state?.terminated {
                stopped += 1
                if terminated.exitCode == 0 { succeeded += 1 }
            } else if status.lastState?.terminated != nil {
                stopped += 1
            } else {
                waiting += 1
            }
        }
        if waiting > 0 { return .pending }
        if running > 0 { return .running }
        if stopped > 0 {
            switch restartPolicy {
            case .always: return .running
            case .onFailure: return stopped == succeeded ? .succeeded : .running
            default: return stopped == succeeded ? .succeeded : .failed
            }
        }
        return .pending
    }

    /// A container's status; `notCreated` is its waiting reason before it first starts.
    static func containerStatus(_ view: ContainerView, notCreated: String = "ContainerCreating") -> ContainerStatus {
        var status = ContainerStatus(name: view.name, ready: view.ready, restartCount: view.current?.attempt ?? 0, image: view.image, imageID: view.imageID)
        status.started = view.started
        if let current = view.current {
            status.containerID = "swiftlet://" + current.id
        }
        let currentState = view.current.map(state)
        if let reason = view.waitingReason {
            status.state = ContainerState(waiting: ContainerStateWaiting(reason: reason, message: view.waitingMessage))
            // The instance that just stopped is the last state while the next one waits.
            status.lastState = currentState?.terminated != nil ? currentState : view.previous.map(state)
        } else if let currentState {
            status.state = currentState
            status.lastState = view.previous.map(state)
        } else {
            status.state = ContainerState(waiting: ContainerStateWaiting(reason: notCreated, message: nil))
        }
        if status.lastState == nil { status.lastState = ContainerState() }
        return status
    }

    static func state(_ observation: ContainerObservation) -> ContainerState {
        switch observation.state {
        case .running(let startedAt):
            return ContainerState(running: ContainerStateRunning(startedAt: KubeTime(startedAt)))
        case .exited(let record, let startedAt):
            let reason = record.oomKilled ? "OOMKilled" : record.message != nil ? "StartError" : record.exitCode == 0 ? "Completed" : "Error"
            return ContainerState(terminated: ContainerStateTerminated(
                exitCode: Int(record.exitCode), signal: record.signal.map(Int.init), reason: reason, message: record.message,
                startedAt: startedAt.map { KubeTime($0) }, finishedAt: KubeTime(record.finishedAt),
                containerID: "swiftlet://" + observation.id))
        }
    }
}
