/// Security settings of one container (core/v1 `SecurityContext`).
public struct SecurityContext: Codable, Sendable, Hashable {
    public var capabilities: Capabilities?
    public var privileged: Bool?
    public var seLinuxOptions: SELinuxOptions?
    public var runAsUser: Int?
    public var runAsGroup: Int?
    public var runAsNonRoot: Bool?
    public var readOnlyRootFilesystem: Bool?
    public var allowPrivilegeEscalation: Bool?
    public var procMount: String?
    public var seccompProfile: SeccompProfile?

    public init(
        capabilities: Capabilities? = nil,
        privileged: Bool? = nil,
        seLinuxOptions: SELinuxOptions? = nil,
        runAsUser: Int? = nil,
        runAsGroup: Int? = nil,
        runAsNonRoot: Bool? = nil,
        readOnlyRootFilesystem: Bool? = nil,
        allowPrivilegeEscalation: Bool? = nil,
        procMount: String? = nil,
        seccompProfile: SeccompProfile? = nil
    ) {
        self.capabilities = capabilities
        self.privileged = privileged
        self.seLinuxOptions = seLinuxOptions
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.allowPrivilegeEscalation = allowPrivilegeEscalation
        self.procMount = procMount
        self.seccompProfile = seccompProfile
    }
}

/// Security settings that apply to every container of a pod (core/v1 `PodSecurityContext`).
public struct PodSecurityContext: Codable, Sendable, Hashable {
    public var seLinuxOptions: SELinuxOptions?
    public var runAsUser: Int?
    public var runAsGroup: Int?
    public var runAsNonRoot: Bool?
    public var supplementalGroups: [Int]?
    public var fsGroup: Int?
    public var fsGroupChangePolicy: String?
    public var sysctls: [Sysctl]?
    public var seccompProfile: SeccompProfile?

    public init(
        seLinuxOptions: SELinuxOptions? = nil,
        runAsUser: Int? = nil,
        runAsGroup: Int? = nil,
        runAsNonRoot: Bool? = nil,
        supplementalGroups: [Int]? = nil,
        fsGroup: Int? = nil,
        fsGroupChangePolicy: String? = nil,
        sysctls: [Sysctl]? = nil,
        seccompProfile: SeccompProfile? = nil
    ) {
        self.seLinuxOptions = seLinuxOptions
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.supplementalGroups = supplementalGroups
        self.fsGroup = fsGroup
        self.fsGroupChangePolicy = fsGroupChangePolicy
        self.sysctls = sysctls
        self.seccompProfile = seccompProfile
    }
}

/// Linux capabilities added to or dropped from the runtime's default set.
public struct Capabilities: Codable, Sendable, Hashable {
    public var add: [String]?
    public var drop: [String]?

    public init(add: [String]? = nil, drop: [String]? = nil) {
        self.add = add
        self.drop = drop
    }
}

/// SELinux labels for a container.
public struct SELinuxOptions: Codable, Sendable, Hashable {
    public var user: String?
    public var role: String?
    public var type: String?
    public var level: String?

    public init(
        user: String? = nil,
        role: String? = nil,
        type: String? = nil,
        level: String? = nil
    ) {
        self.user = user
        self.role = role
        self.type = type
        self.level = level
    }
}

/// The seccomp profile: `RuntimeDefault`, `Unconfined` or `Localhost` with a path.
public struct SeccompProfile: Codable, Sendable, Hashable {
    public var type: String
    public var localhostProfile: String?

    public init(type: String, localhostProfile: String? = nil) {
        self.type = type
        self.localhostProfile = localhostProfile
    }
}

/// A namespaced kernel parameter set for the pod.
public struct Sysctl: Codable, Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
