/// What the kubelet observed of a pod (core/v1 `PodStatus`).
public struct PodStatus: Codable, Sendable, Hashable {
    public var phase: PodPhase?
    public var conditions: [PodCondition]?
    public var message: String?
    public var reason: String?
    public var hostIP: String?
    public var hostIPs: [HostIP]?
    public var podIP: String?
    public var podIPs: [PodIP]?
    public var startTime: KubeTime?
    public var initContainerStatuses: [ContainerStatus]?
    public var containerStatuses: [ContainerStatus]?
    public var qosClass: PodQOSClass?

    public init(
        phase: PodPhase? = nil,
        conditions: [PodCondition]? = nil,
        message: String? = nil,
        reason: String? = nil,
        hostIP: String? = nil,
        hostIPs: [HostIP]? = nil,
        podIP: String? = nil,
        podIPs: [PodIP]? = nil,
        startTime: KubeTime? = nil,
        initContainerStatuses: [ContainerStatus]? = nil,
        containerStatuses: [ContainerStatus]? = nil,
        qosClass: PodQOSClass? = nil
    ) {
        self.phase = phase
        self.conditions = conditions
        self.message = message
        self.reason = reason
        self.hostIP = hostIP
        self.hostIPs = hostIPs
        self.podIP = podIP
        self.podIPs = podIPs
        self.startTime = startTime
        self.initContainerStatuses = initContainerStatuses
        self.containerStatuses = containerStatuses
        self.qosClass = qosClass
    }
}

/// One of a pod's conditions: `PodScheduled`, `Initialized`, `ContainersReady`, `Ready`.
public struct PodCondition: Codable, Sendable, Hashable {
    public var type: String
    public var status: ConditionStatus
    public var lastProbeTime: KubeTime?
    public var lastTransitionTime: KubeTime?
    public var reason: String?
    public var message: String?

    public init(
        type: String,
        status: ConditionStatus,
        lastProbeTime: KubeTime? = nil,
        lastTransitionTime: KubeTime? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastProbeTime = lastProbeTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// One address of a pod.
public struct PodIP: Codable, Sendable, Hashable {
    public var ip: String

    public init(ip: String) {
        self.ip = ip
    }
}

/// One address of the pod's node.
public struct HostIP: Codable, Sendable, Hashable {
    public var ip: String

    public init(ip: String) {
        self.ip = ip
    }
}

/// What the kubelet observed of one container (core/v1 `ContainerStatus`).
public struct ContainerStatus: Codable, Sendable, Hashable {
    public var name: String
    public var state: ContainerState?
    public var lastState: ContainerState?
    public var ready: Bool
    public var restartCount: Int
    public var image: String
    public var imageID: String
    public var containerID: String?
    public var started: Bool?

    public init(
        name: String,
        state: ContainerState? = nil,
        lastState: ContainerState? = nil,
        ready: Bool,
        restartCount: Int,
        image: String,
        imageID: String,
        containerID: String? = nil,
        started: Bool? = nil
    ) {
        self.name = name
        self.state = state
        self.lastState = lastState
        self.ready = ready
        self.restartCount = restartCount
        self.image = image
        self.imageID = imageID
        self.containerID = containerID
        self.started = started
    }
}

/// A container's state; exactly one of the three is set.
public struct ContainerState: Codable, Sendable, Hashable {
    public var waiting: ContainerStateWaiting?
    public var running: ContainerStateRunning?
    public var terminated: ContainerStateTerminated?

    public init(
        waiting: ContainerStateWaiting? = nil,
        running: ContainerStateRunning? = nil,
        terminated: ContainerStateTerminated? = nil
    ) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }
}

/// Not yet running, with the reason (`ContainerCreating`, `CrashLoopBackOff`, `ErrImagePull`…).
public struct ContainerStateWaiting: Codable, Sendable, Hashable {
    public var reason: String?
    public var message: String?

    public init(reason: String? = nil, message: String? = nil) {
        self.reason = reason
        self.message = message
    }
}

/// Running since a time.
public struct ContainerStateRunning: Codable, Sendable, Hashable {
    public var startedAt: KubeTime?

    public init(startedAt: KubeTime? = nil) {
        self.startedAt = startedAt
    }
}

/// Exited, with its code and reason (`Completed`, `Error`, `OOMKilled`…).
public struct ContainerStateTerminated: Codable, Sendable, Hashable {
    public var exitCode: Int
    public var signal: Int?
    public var reason: String?
    public var message: String?
    public var startedAt: KubeTime?
    public var finishedAt: KubeTime?
    public var containerID: String?

    public init(
        exitCode: Int,
        signal: Int? = nil,
        reason: String? = nil,
        message: String? = nil,
        startedAt: KubeTime? = nil,
        finishedAt: KubeTime? = nil,
        containerID: String? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.containerID = containerID
    }
}
