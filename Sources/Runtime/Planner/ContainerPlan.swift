/// One mount the container child performs, fully resolved (absolute source for binds,
/// flags split from data).
public struct PlannedMount: Equatable, Sendable {
    public var source: String
    /// Absolute inside the container.
    public var destination: String
    public var type: String?
    public var flags: MountFlags
    public var propagation: MountFlags
    public var data: String?

    public init(source: String, destination: String, type: String?, flags: MountFlags, propagation: MountFlags = [], data: String? = nil) {
        self.source = source
        self.destination = destination
        self.type = type
        self.flags = flags
        self.propagation = propagation
        self.data = data
    }
}

/// The five capability sets as kernel bit masks.
public struct CapabilityMasks: Equatable, Sendable {
    public var bounding: UInt64
    public var effective: UInt64
    public var permitted: UInt64
    public var inheritable: UInt64
    public var ambient: UInt64
}

/// One resource limit by kernel number.
public struct PlannedRlimit: Equatable, Sendable {
    public var resource: Int32
    public var soft: UInt64
    public var hard: UInt64
}

/// The process part of a plan: what runs, as whom, with which privileges.
public struct ProcessPlan: Equatable, Sendable {
    public var args: [String]
    public var env: [String]
    public var cwd: String
    public var uid: UInt32
    public var gid: UInt32
    public var additionalGids: [UInt32]
    /// nil: keep the caller's capabilities (the spec gave none).
    public var capabilities: CapabilityMasks?
    public var rlimits: [PlannedRlimit]
    public var noNewPrivileges: Bool
    public var oomScoreAdj: Int?
    public var terminal: Bool
}

/// A container as the C child will build it: the pure result of `ContainerPlanner`, with
/// every path resolved and every name turned into a number. Nothing here touched the host.
public struct ContainerPlan: Equatable, Sendable {
    public var process: ProcessPlan
    public var rootfs: String
    public var rootfsReadonly: Bool
    public var rootfsPropagation: MountFlags
    public var mounts: [PlannedMount]
    /// /dev is a tmpfs from the config: the child creates the standard device nodes in it.
    public var createDevices: Bool
    /// `linux.devices`: nodes made after the mounts, before pivot_root.
    public var devices: [PlannedDevice]
    public var maskedPaths: [String]
    public var readonlyPaths: [String]
    public var hostname: String?
    public var domainname: String?
    public var newNamespaces: Set<NamespaceKind>
    /// Namespaces joined by path.
    public var joinNamespaces: [NamespaceKind: String]
    /// `linux.sysctl`, validated: written in the container's namespaces before /proc/sys
    /// turns read-only.
    public var sysctls: [PlannedSysctl]
    /// A new user namespace's maps (nil: none).
    public var userNamespace: UserNamespaceMaps?
    public var cgroupPath: String
    public var resources: CgroupResources
    public var seccomp: LinuxSeccomp?
    public var hooks: Hooks?
    public var annotations: [String: String]
}
