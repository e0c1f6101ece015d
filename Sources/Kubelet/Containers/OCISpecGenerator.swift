import Foundation
import Runtime

/// Where a container of a pod finds the pod's shared namespaces, and its cgroup.
public struct ContainerPlacement: Sendable, Equatable {
    public var networkNamespace: String?
    public var ipcNamespace: String?
    public var utsNamespace: String?
    /// A PID namespace to join (shareProcessNamespace), or nil for a new one.
    public var pidNamespace: String?
    /// The container's absolute cgroup path (`/swiftlet/pod<uid>/<id>`).
    public var cgroupsPath: String
    /// The rootfs path, relative to the bundle or absolute.
    public var rootfs: String

    public init(networkNamespace: String?, ipcNamespace: String?, utsNamespace: String?, pidNamespace: String? = nil, cgroupsPath: String, rootfs: String) {
        self.networkNamespace = networkNamespace
        self.ipcNamespace = ipcNamespace
        self.utsNamespace = utsNamespace
        self.pidNamespace = pidNamespace
        self.cgroupsPath = cgroupsPath
        self.rootfs = rootfs
    }
}

/// Turns a `ContainerConfig` into an OCI runtime spec, starting from the runtime's default
/// spec (Docker's capabilities and seccomp profile), as containerd's CRI plugin does.
public enum OCISpecGenerator {
    /// Every capability, for privileged containers.
    static let allCapabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    /// Every capability the node itself holds in its bounding set (`CapBnd` of
    /// /proc/self/status), in `allCapabilities` order, which is the kernel's numbering. A
    /// privileged container gets these, as containerd grants "all" as the host's set: asking
    /// for one the node lacks (CAP_SYS_RESOURCE inside a restricted sandbox) fails capset.
    static let nodeCapabilities: [String] = {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapBnd:") }),
              let hex = line.split(separator: "\t").last, let mask = UInt64(hex, radix: 16) else { return allCapabilities }
        return allCapabilities.enumerated().filter { mask & (1 << UInt64($0.offset)) != 0 }.map(\.element)
    }()

    public static func spec(for config: ContainerConfig, placement: ContainerPlacement, annotations: [String: String] = [:]) throws -> Spec {
        var spec = try JSONDecoder().decode(Spec.self, from: Data(DefaultSpec.json.utf8))
        let defaultCaps = spec.process?.capabilities?.bounding ?? []
        var process = spec.process ?? Runtime.Process(user: User(), cwd: "/")
        process.args = config.args
        process.env = config.env
        process.cwd = config.workingDir
        process.terminal = config.tty
        process.user = User(uid: config.uid, gid: config.gid, additionalGids: config.additionalGids.isEmpty ? nil : config.additionalGids)
        process.noNewPrivileges = config.noNewPrivileges
        let caps = capabilities(default: defaultCaps, config: config)
        // Root gets the set in its effective and permitted sets; other users keep only the
        // bounding set, as containerd does, since a non-root exec clears them anyway.
        process.capabilities = Runtime.Capabilities(
            bounding: caps, effective: config.uid == 0 ? caps : [], inheritable: nil,
            permitted: config.uid == 0 ? caps : [], ambient: nil)
        spec.process = process
        spec.root = Root(path: placement.rootfs, readonly: config.readOnlyRootfs)
        spec.hostname = nil
        spec.annotations = annotations.isEmpty ? nil : annotations

        var mounts = spec.mounts ?? []
        if config.privileged {
            for index in mounts.indices where mounts[index].destination == "/sys" || mounts[index].destination == "/sys/fs/cgroup" {
                mounts[index].options = mounts[index].options?.filter { $0 != "ro" }
            }
        }
        for mount in config.mounts {
            mounts.removeAll { $0.destination == mount.destination }
            mounts.append(Mount(destination: mount.destination, type: "bind", source: mount.source,
                                options: ["rbind", "rprivate"] + (mount.readOnly ? ["ro"] : [])))
        }
        spec.mounts = mounts

        var linux = spec.linux ?? Linux()
        var namespaces: [LinuxNamespace] = [LinuxNamespace(type: .mount), LinuxNamespace(type: .cgroup)]
        namespaces.append(LinuxNamespace(type: .pid, path: placement.pidNamespace))
        namespaces.append(LinuxNamespace(type: .network, path: placement.networkNamespace))
        namespaces.append(LinuxNamespace(type: .ipc, path: placement.ipcNamespace))
        namespaces.append(LinuxNamespace(type: .uts, path: placement.utsNamespace))
        linux.namespaces = namespaces
        linux.cgroupsPath = placement.cgroupsPath
        var resources = linux.resources ?? LinuxResources()
        if let limit = config.memoryLimit { resources.memory = LinuxMemory(limit: limit) }
        if config.cpuShares != nil || config.cpuQuota != nil {
            resources.cpu = LinuxCPU(shares: config.cpuShares, quota: config.cpuQuota, period: config.cpuPeriod)
        }
        if config.privileged {
            resources.devices = [LinuxDeviceCgroup(allow: true, access: "rwm")]
            linux.maskedPaths = nil
            linux.readonlyPaths = nil
        }
        linux.resources = resources
        if !config.seccompRuntimeDefault { linux.seccomp = nil }
        spec.linux = linux
        return spec
    }

    /// The default set, plus `add`, minus `drop`; `ALL` in add grants every capability and in
    /// drop removes all (then `add` applies), as upstream.
    static func capabilities(default defaults: [String], config: ContainerConfig) -> [String] {
        if config.privileged { return nodeCapabilities }
        var caps = config.capabilitiesDrop.contains("ALL") ? [] : defaults
        caps.removeAll { config.capabilitiesDrop.contains($0) }
        if config.capabilitiesAdd.contains("ALL") { return nodeCapabilities }
        for cap in config.capabilitiesAdd where !caps.contains(cap) { caps.append(cap) }
        return caps
    }
}
