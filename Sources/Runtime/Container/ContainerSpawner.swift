#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntimeShim
import NodeSupport

/// Everything one `crs_spawn` call needs, in Swift terms: a planned process plus the host
/// handles (fds) the parent opened for it.
struct SpawnRequest {
    var process: ProcessPlan
    var seccomp: SeccompProgram?
    var stdio: (Int32, Int32, Int32) = (-1, -1, -1)
    var consoleSocket: Int32 = -1
    var newNamespaces: Set<NamespaceKind> = []
    var joinFDs: [NamespaceKind: Int32] = [:]
    /// The rootfs to set up (create only); nil for exec.
    var rootfs: ContainerPlan?
    var noPivot = false
    var cgroupProcsFDs: [Int32] = []
    var cgroupV2FD: Int32 = -1
    /// The exec fifo (O_PATH fd) and the state directory holding it (O_PATH fd, for a
    /// container without /proc); nil = exec at once.
    var execFifoFD: Int32?
    var execFifoDirFD: Int32?
}

/// Fills `struct crs_spawn_config` from a `SpawnRequest`, keeping every C string and array
/// alive for the call, and turns the child's (stage, errno, detail) into a `SystemError`.
enum ContainerSpawner {
    static func spawn(_ request: SpawnRequest) throws -> Int32 {
        let arena = CArena()
        defer { arena.free() }
        let p = request.process
        var config = crs_spawn_config()
        config.argv = arena.stringArray(p.args)
        config.envp = arena.stringArray(p.env)
        config.cwd = arena.string(p.cwd)
        config.uid = p.uid
        config.gid = p.gid
        config.additional_gids = arena.array(p.additionalGids.map { gid_t($0) })
        config.additional_gids_count = p.additionalGids.count
        if let caps = p.capabilities {
            config.set_capabilities = 1
            config.cap_bounding = caps.bounding
            config.cap_effective = caps.effective
            config.cap_permitted = caps.permitted
            config.cap_inheritable = caps.inheritable
            config.cap_ambient = caps.ambient
        }
        config.rlimits = arena.array(p.rlimits.map { crs_rlimit(resource: $0.resource, soft: $0.soft, hard: $0.hard) })
        config.rlimits_count = p.rlimits.count
        config.no_new_privileges = p.noNewPrivileges ? 1 : 0
        if let adj = p.oomScoreAdj {
            config.oom_score_adj_set = 1
            config.oom_score_adj = Int32(adj)
        }
        if let seccomp = request.seccomp, !seccomp.bytes.isEmpty {
            config.seccomp_bpf = UnsafeRawPointer(arena.array(seccomp.bytes))
            config.seccomp_bpf_len = seccomp.bytes.count
        }
        config.stdio = request.stdio
        config.console_socket = request.consoleSocket
        config.new_namespaces = Self.bits(request.newNamespaces)
        config.join = crs_join_namespaces(
            pid: request.joinFDs[.pid] ?? -1, net: request.joinFDs[.network] ?? -1,
            ipc: request.joinFDs[.ipc] ?? -1, uts: request.joinFDs[.uts] ?? -1,
            mount: request.joinFDs[.mount] ?? -1, cgroup: request.joinFDs[.cgroup] ?? -1,
            user: request.joinFDs[.user] ?? -1)
        if let plan = request.rootfs {
            config.rootfs = arena.string(plan.rootfs)
            config.rootfs_propagation = plan.rootfsPropagation.rawValue
            config.rootfs_readonly = plan.rootfsReadonly ? 1 : 0
            config.no_pivot = request.noPivot ? 1 : 0
            config.mounts = arena.array(plan.mounts.map {
                crs_mount(
                    source: arena.string($0.source), destination: arena.string($0.destination),
                    fstype: $0.type.map { arena.string($0) } ?? nil, data: $0.data.map { arena.string($0) } ?? nil,
                    flags: $0.flags.rawValue, propagation: $0.propagation.rawValue)
            })
            config.mounts_count = plan.mounts.count
            config.create_devices = plan.createDevices ? 1 : 0
            config.devices = arena.array(plan.devices.map {
                crs_device(
                    path: arena.string($0.path), type: Int32($0.type.asciiValue ?? 0), major: UInt32($0.major),
                    minor: UInt32($0.minor), mode: $0.mode, uid: $0.uid, gid: $0.gid)
            })
            config.devices_count = plan.devices.count
            config.masked_paths = arena.stringArray(plan.maskedPaths)
            config.readonly_paths = arena.stringArray(plan.readonlyPaths)
            if let maps = plan.userNamespace {
                config.uid_map = arena.string(maps.uidMap)
                config.gid_map = arena.string(maps.gidMap)
            }
            config.hostname = plan.hostname.map { arena.string($0) } ?? nil
            config.domainname = plan.domainname.map { arena.string($0) } ?? nil
            if !plan.sysctls.isEmpty {
                config.sysctl_paths = arena.stringArray(plan.sysctls.map(\.path))
                config.sysctl_values = arena.stringArray(plan.sysctls.map(\.value))
            }
        }
        config.cgroup_procs_fds = arena.array(request.cgroupProcsFDs)
        config.cgroup_procs_count = request.cgroupProcsFDs.count
        config.cgroup_v2_fd = request.cgroupV2FD
        config.exec_fifo_fd = request.execFifoFD ?? -1
        config.exec_fifo_dir_fd = request.execFifoDirFD ?? -1
        config.exec_fifo_name = arena.string(StateStore.fifoName)

        var result = crs_spawn_result()
        if crs_spawn(&config, &result) != 0 {
            let stage = withUnsafeBytes(of: result.stage) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            let detail = withUnsafeBytes(of: result.detail) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            throw SystemError(errno: result.error, operation: stage, detail: detail)
        }
        return result.pid
    }

    static func bits(_ kinds: Set<NamespaceKind>) -> Int32 {
        var bits: Int32 = 0
        for kind in kinds {
            switch kind {
            case .pid: bits |= CRS_NS_PID
            case .network: bits |= CRS_NS_NET
            case .ipc: bits |= CRS_NS_IPC
            case .uts: bits |= CRS_NS_UTS
            case .mount: bits |= CRS_NS_MOUNT
            case .cgroup: bits |= CRS_NS_CGROUP
            case .user: bits |= CRS_NS_USER
            case .time: break  // refused by the planner
            }
        }
        return bits
    }
}

/// Owns C copies of strings and arrays until `free()`.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    func string(_ s: String) -> UnsafePointer<CChar> {
        let p = strdup(s)!
        allocations.append(UnsafeMutableRawPointer(p))
        return UnsafePointer(p)
    }

    /// A NULL-terminated array of C strings.
    func stringArray(_ strings: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        let p = raw(MemoryLayout<UnsafePointer<CChar>?>.stride * (strings.count + 1))
            .bindMemory(to: UnsafePointer<CChar>?.self, capacity: strings.count + 1)
        for (i, s) in strings.enumerated() { p[i] = string(s) }
        p[strings.count] = nil
        return UnsafePointer(p)
    }

    func array<T>(_ values: [T]) -> UnsafePointer<T> {
        let p = raw(MemoryLayout<T>.stride * max(values.count, 1)).bindMemory(to: T.self, capacity: max(values.count, 1))
        p.initialize(from: values, count: values.count)
        return UnsafePointer(p)
    }

    private func raw(_ size: Int) -> UnsafeMutableRawPointer {
        let p = malloc(max(size, 1))!
        allocations.append(p)
        return p
    }

    func free() {
        for p in allocations { Glibc.free(p) }
        allocations.removeAll()
    }
}
