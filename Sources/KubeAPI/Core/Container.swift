/// One container of a pod (core/v1 `Container`).
public struct Container: Codable, Sendable, Hashable {
    public var name: String
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var workingDir: String?
    public var ports: [ContainerPort]?
    public var envFrom: [EnvFromSource]?
    public var env: [EnvVar]?
    public var resources: ResourceRequirements?
    public var volumeMounts: [VolumeMount]?
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var startupProbe: Probe?
    public var lifecycle: Lifecycle?
    public var terminationMessagePath: String?
    public var terminationMessagePolicy: TerminationMessagePolicy?
    public var imagePullPolicy: PullPolicy?
    public var securityContext: SecurityContext?
    public var stdin: Bool?
    public var stdinOnce: Bool?
    public var tty: Bool?
    /// Only for init containers: `Always` makes it a sidecar that keeps running.
    public var restartPolicy: RestartPolicy?

    public init(
        name: String,
        image: String? = nil,
        command: [String]? = nil,
        args: [String]? = nil,
        workingDir: String? = nil,
        ports: [ContainerPort]? = nil,
        envFrom: [EnvFromSource]? = nil,
        env: [EnvVar]? = nil,
        resources: ResourceRequirements? = nil,
        volumeMounts: [VolumeMount]? = nil,
        livenessProbe: Probe? = nil,
        readinessProbe: Probe? = nil,
        startupProbe: Probe? = nil,
        lifecycle: Lifecycle? = nil,
        terminationMessagePath: String? = nil,
        terminationMessagePolicy: TerminationMessagePolicy? = nil,
        imagePullPolicy: PullPolicy? = nil,
        securityContext: SecurityContext? = nil,
        stdin: Bool? = nil,
        stdinOnce: Bool? = nil,
        tty: Bool? = nil,
        restartPolicy: RestartPolicy? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.workingDir = workingDir
        self.ports = ports
        self.envFrom = envFrom
        self.env = env
        self.resources = resources
        self.volumeMounts = volumeMounts
        self.livenessProbe = livenessProbe
        self.readinessProbe = readinessProbe
        self.startupProbe = startupProbe
        self.lifecycle = lifecycle
        self.terminationMessagePath = terminationMessagePath
        self.terminationMessagePolicy = terminationMessagePolicy
        self.imagePullPolicy = imagePullPolicy
        self.securityContext = securityContext
        self.stdin = stdin
        self.stdinOnce = stdinOnce
        self.tty = tty
        self.restartPolicy = restartPolicy
    }
}

/// A port a container listens on.
public struct ContainerPort: Codable, Sendable, Hashable {
    public var name: String?
    public var hostPort: Int?
    public var containerPort: Int
    public var `protocol`: PortProtocol?
    public var hostIP: String?

    public init(
        name: String? = nil,
        hostPort: Int? = nil,
        containerPort: Int,
        `protocol`: PortProtocol? = nil,
        hostIP: String? = nil
    ) {
        self.name = name
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.`protocol` = `protocol`
        self.hostIP = hostIP
    }
}

/// Compute resources a container requests and may not exceed, by resource name
/// (`cpu`, `memory`, `ephemeral-storage`, `hugepages-2Mi`…).
public struct ResourceRequirements: Codable, Sendable, Hashable {
    public var limits: [String: Quantity]?
    public var requests: [String: Quantity]?

    public init(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil) {
        self.limits = limits
        self.requests = requests
    }
}

/// Where a volume appears inside a container.
public struct VolumeMount: Codable, Sendable, Hashable {
    public var name: String
    public var readOnly: Bool?
    public var mountPath: String
    public var subPath: String?
    public var subPathExpr: String?
    public var mountPropagation: String?

    public init(
        name: String,
        readOnly: Bool? = nil,
        mountPath: String,
        subPath: String? = nil,
        subPathExpr: String? = nil,
        mountPropagation: String? = nil
    ) {
        self.name = name
        self.readOnly = readOnly
        self.mountPath = mountPath
        self.subPath = subPath
        self.subPathExpr = subPathExpr
        self.mountPropagation = mountPropagation
    }
}
