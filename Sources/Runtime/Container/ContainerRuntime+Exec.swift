#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NodeSupport

/// `exec`: a new process in a running container.
extension ContainerRuntime {
    // MARK: - exec

    /// Runs a new process in the running container: its namespaces, cgroup, capabilities
    /// and seccomp profile. It is a direct child of the caller.
    public func exec(id: String, process: Process, options: ExecOptions = ExecOptions()) throws -> Int32 {
        try StateStore.validate(id: id)
        guard let stored = try store.load(id) else { throw RuntimeError.invalidState(id: id, status: .creating, action: "exec") }
        let status = currentStatus(stored)
        guard status.canExec else { throw RuntimeError.invalidState(id: id, status: status, action: "exec") }
        let spec = try self.spec(id)
        let planner = ContainerPlanner(host: LocalPlannerHost(cgroupRoot: cgroupRoot), cgroupParent: cgroupParent)
        let processPlan = try planner.planProcess(process, field: "process")
        let seccomp = try spec?.linux?.seccomp.map { try SeccompProgram.load($0, cacheDirectory: root + "/.seccomp") }
        if processPlan.terminal && options.consoleSocket == nil {
            throw RuntimeError.invalidConfig(field: "process.terminal", reason: "a terminal needs --console-socket")
        }

        var fds = FDSet()
        defer { fds.closeAll() }
        var request = SpawnRequest(process: processPlan, seccomp: seccomp)
        request.stdio = (options.stdin, options.stdout, options.stderr)
        let manager = try Cgroups.manager(path: stored.cgroupPath, root: cgroupRoot)
        try Self.joinCgroup(manager, request: &request, fds: &fds)
        // The user namespace too (the C child joins it first): the others belong to it.
        for kind in stored.namespaces where kind != .time {
            request.joinFDs[kind] = try fds.open("/proc/\(stored.pid)/ns/\(kind.procName)", O_RDONLY | O_CLOEXEC)
        }
        if processPlan.terminal, let socket = options.consoleSocket {
            request.consoleSocket = try fds.adopt(ConsoleSocket.connect(socket))
        }
        let pid: Int32
        do {
            pid = try ContainerSpawner.spawn(request)
        } catch let error as SystemError {
            throw RuntimeError.setupFailed(error)
        }
        if let pidFile = options.pidFile {
            try FileBytes.writeAtomically(Self.absolute(pidFile), Array(String(pid).utf8))
        }
        return pid
    }
}
