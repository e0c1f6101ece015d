/// `linux`: namespaces, cgroup resources and path, seccomp, masked and read-only paths.
public struct Linux: Codable, Sendable, Equatable {
    public var namespaces: [LinuxNamespace]?
    public var resources: LinuxResources?
    public var cgroupsPath: String?
    public var seccomp: LinuxSeccomp?
    public var maskedPaths: [String]?
    public var readonlyPaths: [String]?
    public var rootfsPropagation: String?
    public var devices: [LinuxDevice]?
    public var sysctl: [String: String]?
    public var uidMappings: [LinuxIDMapping]?
    public var gidMappings: [LinuxIDMapping]?
    /// The SELinux context of the container's mounts.
    public var mountLabel: String?

    public init(
        namespaces: [LinuxNamespace]? = nil, resources: LinuxResources? = nil, cgroupsPath: String? = nil,
        seccomp: LinuxSeccomp? = nil, maskedPaths: [String]? = nil, readonlyPaths: [String]? = nil
    ) {
        self.namespaces = namespaces
        self.resources = resources
        self.cgroupsPath = cgroupsPath
        self.seccomp = seccomp
        self.maskedPaths = maskedPaths
        self.readonlyPaths = readonlyPaths
    }
}

/// The namespace kinds of the OCI spec, by their `type` strings.
public enum NamespaceKind: String, Codable, Sendable, CaseIterable {
    case pid, network, ipc, uts, mount, cgroup, user, time

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let kind = NamespaceKind(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "unknown namespace type \"\(text)\" (expected one of "
                    + NamespaceKind.allCases.map(\.rawValue).joined(separator: ", ") + ")"))
        }
        self = kind
    }

    /// The name under /proc/PID/ns/.
    public var procName: String {
        switch self {
        case .network: return "net"
        case .mount: return "mnt"
        default: return rawValue
        }
    }
}

/// `linux.namespaces[]`: create a namespace of `type`, or join the one at `path`.
public struct LinuxNamespace: Codable, Sendable, Equatable {
    public var type: NamespaceKind
    public var path: String?

    public init(type: NamespaceKind, path: String? = nil) {
        self.type = type
        self.path = path
    }
}

/// `linux.uidMappings[]` / `gidMappings[]`: a new user namespace's ranges.
public struct LinuxIDMapping: Codable, Sendable, Equatable {
    public var containerID: UInt32
    public var hostID: UInt32
    public var size: UInt32

    public init(containerID: UInt32, hostID: UInt32, size: UInt32) {
        self.containerID = containerID
        self.hostID = hostID
        self.size = size
    }
}

/// `linux.devices[]`: extra device nodes, made by mknod and allowed in the devices cgroup.
public struct LinuxDevice: Codable, Sendable, Equatable {
    public var path: String
    public var type: String
    public var major: Int64?
    public var minor: Int64?
    public var fileMode: UInt32?
    public var uid: UInt32?
    public var gid: UInt32?

    public init(
        path: String, type: String, major: Int64? = nil, minor: Int64? = nil, fileMode: UInt32? = nil,
        uid: UInt32? = nil, gid: UInt32? = nil
    ) {
        self.path = path
        self.type = type
        self.major = major
        self.minor = minor
        self.fileMode = fileMode
        self.uid = uid
        self.gid = gid
    }
}

/// `linux.resources`: the limits Swiftlet applies (memory, cpu, pids, device rules, block
/// I/O weight, huge pages, v2 `unified` files). `network` and `rdma` are decoded only to be
/// refused: a limit the runtime cannot apply is an error, never skipped.
public struct LinuxResources: Codable, Sendable, Equatable {
    public var memory: LinuxMemory?
    public var cpu: LinuxCPU?
    public var pids: LinuxPids?
    public var devices: [LinuxDeviceCgroup]?
    public var blockIO: LinuxBlockIO?
    public var hugepageLimits: [LinuxHugepageLimit]?
    public var network: LinuxNetwork?
    public var rdma: [String: LinuxRdma]?
    public var unified: [String: String]?

    public init(memory: LinuxMemory? = nil, cpu: LinuxCPU? = nil, pids: LinuxPids? = nil, devices: [LinuxDeviceCgroup]? = nil) {
        self.memory = memory
        self.cpu = cpu
        self.pids = pids
        self.devices = devices
    }
}

/// `linux.resources.memory` (bytes; swap is memory+swap, as v1 has it).
public struct LinuxMemory: Codable, Sendable, Equatable {
    public var limit: Int64?
    /// The soft limit (v1 memory.soft_limit_in_bytes, v2 memory.low).
    public var reservation: Int64?
    public var swap: Int64?
    /// 0...100 (v1 only).
    public var swappiness: UInt64?
    /// v1 memory.oom_control.
    public var disableOOMKiller: Bool?

    public init(
        limit: Int64? = nil, reservation: Int64? = nil, swap: Int64? = nil, swappiness: UInt64? = nil,
        disableOOMKiller: Bool? = nil
    ) {
        self.limit = limit
        self.reservation = reservation
        self.swap = swap
        self.swappiness = swappiness
        self.disableOOMKiller = disableOOMKiller
    }
}

/// `linux.resources.blockIO`: the weight is applied; per-device weights and throttles are
/// decoded to be refused.
public struct LinuxBlockIO: Codable, Sendable, Equatable {
    public var weight: UInt16?
    public var leafWeight: UInt16?
    public var weightDevice: [LinuxBlockIODevice]?
    public var throttleReadBpsDevice: [LinuxBlockIODevice]?
    public var throttleWriteBpsDevice: [LinuxBlockIODevice]?
    public var throttleReadIOPSDevice: [LinuxBlockIODevice]?
    public var throttleWriteIOPSDevice: [LinuxBlockIODevice]?

    public init(weight: UInt16? = nil) { self.weight = weight }
}

/// One device entry of `blockIO` (weight or rate).
public struct LinuxBlockIODevice: Codable, Sendable, Equatable {
    public var major: Int64
    public var minor: Int64
    public var weight: UInt16?
    public var leafWeight: UInt16?
    public var rate: UInt64?
}

/// `linux.resources.hugepageLimits[]`: bytes of huge pages of `pageSize` ("2MB", "1GB").
public struct LinuxHugepageLimit: Codable, Sendable, Equatable {
    public var pageSize: String
    public var limit: UInt64

    public init(pageSize: String, limit: UInt64) {
        self.pageSize = pageSize
        self.limit = limit
    }
}

/// `linux.resources.network` (net_cls / net_prio; refused).
public struct LinuxNetwork: Codable, Sendable, Equatable {
    public var classID: UInt32?
    public var priorities: [LinuxInterfacePriority]?
}

public struct LinuxInterfacePriority: Codable, Sendable, Equatable {
    public var name: String
    public var priority: UInt32
}

/// `linux.resources.rdma` values (refused).
public struct LinuxRdma: Codable, Sendable, Equatable {
    public var hcaHandles: UInt32?
    public var hcaObjects: UInt32?
}

/// `linux.resources.cpu`.
public struct LinuxCPU: Codable, Sendable, Equatable {
    public var shares: UInt64?
    public var quota: Int64?
    public var period: UInt64?
    public var cpus: String?
    public var mems: String?

    public init(shares: UInt64? = nil, quota: Int64? = nil, period: UInt64? = nil, cpus: String? = nil, mems: String? = nil) {
        self.shares = shares
        self.quota = quota
        self.period = period
        self.cpus = cpus
        self.mems = mems
    }
}

/// `linux.resources.pids`.
public struct LinuxPids: Codable, Sendable, Equatable {
    public var limit: Int64

    public init(limit: Int64) { self.limit = limit }
}

/// `linux.resources.devices[]`: a device cgroup rule.
public struct LinuxDeviceCgroup: Codable, Sendable, Equatable {
    public var allow: Bool
    public var type: String?
    public var major: Int64?
    public var minor: Int64?
    public var access: String?

    public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
        self.allow = allow
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
    }
}

/// `linux.seccomp` in OCI format.
public struct LinuxSeccomp: Codable, Sendable, Equatable, Hashable {
    public var defaultAction: String
    public var defaultErrnoRet: UInt32?
    public var architectures: [String]?
    public var flags: [String]?
    public var syscalls: [LinuxSyscall]?

    public init(defaultAction: String, defaultErrnoRet: UInt32? = nil, architectures: [String]? = nil, syscalls: [LinuxSyscall]? = nil) {
        self.defaultAction = defaultAction
        self.defaultErrnoRet = defaultErrnoRet
        self.architectures = architectures
        self.syscalls = syscalls
    }
}

/// One `linux.seccomp.syscalls[]` rule.
public struct LinuxSyscall: Codable, Sendable, Equatable, Hashable {
    public var names: [String]
    public var action: String
    public var errnoRet: UInt32?
    public var args: [LinuxSeccompArg]?

    public init(names: [String], action: String, errnoRet: UInt32? = nil, args: [LinuxSeccompArg]? = nil) {
        self.names = names
        self.action = action
        self.errnoRet = errnoRet
        self.args = args
    }
}

/// One argument comparison of a seccomp rule.
public struct LinuxSeccompArg: Codable, Sendable, Equatable, Hashable {
    public var index: UInt32
    public var value: UInt64
    public var valueTwo: UInt64?
    public var op: String

    public init(index: UInt32, value: UInt64, valueTwo: UInt64? = nil, op: String) {
        self.index = index
        self.value = value
        self.valueTwo = valueTwo
        self.op = op
    }
}
