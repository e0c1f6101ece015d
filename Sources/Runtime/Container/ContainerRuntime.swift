#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CRuntimeShim
import Logging
import NodeSupport

/// How `create` wires the container's init.
public struct CreateOptions: Sendable {
    /// Fds to become the init's stdin/stdout/stderr; -1 inherits the caller's.
    public var stdin: Int32
    public var stdout: Int32
    public var stderr: Int32
    /// Where to write the init's PID (as runc's --pid-file).
    public var pidFile: String?
    /// A unix socket path that receives the pty master when process.terminal is true.
    public var consoleSocket: String?
    /// Exec the program at once instead of waiting for `start` (what `run` does).
    public var startImmediately: Bool
    /// MS_MOVE + chroot instead of pivot_root (runc's --no-pivot).
    public var noPivot: Bool

    public init(
        stdin: Int32 = -1, stdout: Int32 = -1, stderr: Int32 = -1, pidFile: String? = nil,
        consoleSocket: String? = nil, startImmediately: Bool = false, noPivot: Bool = false
    ) {
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.pidFile = pidFile
        self.consoleSocket = consoleSocket
        self.startImmediately = startImmediately
        self.noPivot = noPivot
    }
}

/// How `exec` wires the new process.
public struct ExecOptions: Sendable {
    public var stdin: Int32
    public var stdout: Int32
    public var stderr: Int32
    /// Give the process a pty (sent over `consoleSocket`).
    public var tty: Bool
    public var consoleSocket: String?
    public var pidFile: String?

    public init(
        stdin: Int32 = -1, stdout: Int32 = -1, stderr: Int32 = -1, tty: Bool = false,
        consoleSocket: String? = nil, pidFile: String? = nil
    ) {
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.tty = tty
        self.consoleSocket = consoleSocket
        self.pidFile = pidFile
    }
}

/// The OCI container runtime as a library: create/start/state/kill/delete/exec on
/// containers whose state lives under `root`. What the `swiftlet-runtime` CLI and the
/// kubelet call.
public struct ContainerRuntime: Sendable {
    public let root: String
    public let logger: Logger
    /// Where the cgroup hierarchies are mounted.
    public var cgroupRoot: String = "/sys/fs/cgroup"
    /// Parent of relative or absent `linux.cgroupsPath`s.
    public var cgroupParent: String = "/swiftlet"

    public init(root: String = "/run/swiftlet-runtime", logger: Logger = Logger(label: "swiftlet.runtime")) {
        self.root = root
        self.logger = logger
    }

    var store: StateStore { StateStore(root: root) }

    // MARK: - create

    /// Creates the container; its init is a DIRECT child of the calling process (so a
    /// monitor can waitpid it) and waits for start() unless options.startImmediately.
    @discardableResult
    public func create(id: String, bundle: String, options: CreateOptions = CreateOptions()) throws -> Int32 {
        try StateStore.validate(id: id)
        return try create(id: id, bundle: try OCIBundle(path: bundle), options: options)
    }

    /// `create` for a bundle already loaded (so a caller that looked at its spec does not
    /// decode it twice).
    @discardableResult
    public func create(id: String, bundle loaded: OCIBundle, options: CreateOptions = CreateOptions()) throws -> Int32 {
        try createContainer(id: id, bundle: loaded, options: options).stored.pid
    }

    /// create + wait + delete in one call, keeping the state in memory between the steps:
    /// what a foreground `run` does. `started` gets the init's PID once it runs (to forward
    /// signals or relay its terminal). Returns how the init ended.
    public func run(
        id: String, bundle: OCIBundle, options: CreateOptions = CreateOptions(), started: (Int32) throws -> Void = { _ in }
    ) throws -> ExitStatus {
        var options = options
        options.startImmediately = true
        let (stored, cgroup) = try createContainer(id: id, bundle: bundle, options: options)
        let exit: ExitStatus
        do {
            try started(stored.pid)
            exit = try Runtime.wait(pid: stored.pid)
        } catch {
            try? delete(id: id, force: true)
            throw error
        }
        try store.withLock(id) {
            try remove(stored, status: .stopped, cgroup: cgroup)
        }
        return exit
    }

    func createContainer(id: String, bundle loaded: OCIBundle, options: CreateOptions) throws -> (stored: StoredContainer, cgroup: CgroupManager) {
        try StateStore.validate(id: id)
        let bundle = loaded.path
        let spec = loaded.spec
        let configBytes = loaded.configBytes
        let planner = ContainerPlanner(host: LocalPlannerHost(cgroupRoot: cgroupRoot), cgroupParent: cgroupParent)
        let plan = try planner.plan(spec: spec, bundle: bundle, id: id)
        if plan.process.terminal && options.consoleSocket == nil {
            throw RuntimeError.invalidConfig(field: "config.json: process.terminal", reason: "a terminal needs --console-socket")
        }
        let seccomp = try plan.seccomp.map { try SeccompProgram.load($0, cacheDirectory: root + "/.seccomp") }

        // From here on the host changes: undo everything on failure.
        try store.create(id)
        var cgroup: CgroupManager?
        var pid: Int32 = -1
        do {
            let dir = store.directory(id)
            try FileBytes.writeAtomically(dir + "/" + StateStore.configFile, configBytes)
            let manager = try Cgroups.manager(path: plan.cgroupPath, root: cgroupRoot)
            cgroup = manager
            try manager.create()
            try manager.apply(plan.resources)

            var fds = FDSet()
            defer { fds.closeAll() }
            var request = SpawnRequest(process: plan.process, seccomp: seccomp)
            request.stdio = (options.stdin, options.stdout, options.stderr)
            request.newNamespaces = plan.newNamespaces
            request.rootfs = plan
            request.noPivot = options.noPivot
            try Self.joinCgroup(manager, request: &request, fds: &fds)
            for (kind, path) in plan.joinNamespaces {
                request.joinFDs[kind] = try fds.open(path, O_RDONLY | O_CLOEXEC)
            }
            if plan.process.terminal, let socket = options.consoleSocket {
                request.consoleSocket = try fds.adopt(ConsoleSocket.connect(socket))
            }
            if !options.startImmediately {
                let fifo = dir + "/" + StateStore.fifoName
                try sys("mkfifo", fifo) { mkfifo(fifo, 0o622) }
                // 0622 whatever the umask (mkfifo applies it, and umask is process-wide):
                // an init running as another user must be able to open it for writing.
                try sys("chmod", fifo) { chmod(fifo, 0o622) }
                request.execFifoFD = try fds.open(fifo, CRS_O_PATH | O_CLOEXEC)
                request.execFifoDirFD = try fds.open(dir, CRS_O_PATH | O_DIRECTORY | O_CLOEXEC)
            }
            pid = try ContainerSpawner.spawn(request)
            // The stat read names the process for good (start time); an init already gone
            // is a failed create, never a container `start` then finds stopped.
            let initStat = LiveProcess.stat(pid)
            if !options.startImmediately, initStat == nil || initStat?.state == "Z" {
                throw RuntimeError.setupFailed(SystemError(errno: ECHILD, operation: "start", detail: "container process exited during setup"))
            }

            let stored = StoredContainer(
                id: id, bundle: bundle, rootfs: plan.rootfs, pid: pid,
                pidStartTime: initStat?.startTime ?? 0, created: Timestamp.now(),
                cgroupPath: plan.cgroupPath, annotations: plan.annotations.isEmpty ? nil : plan.annotations,
                namespaces: Array(plan.newNamespaces.union(plan.joinNamespaces.keys)).sorted { $0.rawValue < $1.rawValue },
                hasPoststopHooks: !(plan.hooks?.poststop ?? []).isEmpty)
            try store.save(stored)
            if let pidFile = options.pidFile {
                try FileBytes.writeAtomically(Self.absolute(pidFile), Array(String(pid).utf8))
            }
            let hooks = (plan.hooks?.prestart ?? []) + (plan.hooks?.createRuntime ?? [])
            if !hooks.isEmpty {
                try HookRunner.run(hooks, state: try state(of: stored), phase: "createRuntime")
            }
            logger.debug("created container", metadata: ["id": "\(id)", "pid": "\(pid)"])
            return (stored, manager)
        } catch {
            if pid > 0 {
                _ = Glibc.kill(pid, SIGKILL)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            }
            try? cgroup?.killAll(signal: SIGKILL)
            try? cgroup?.destroy()
            try? store.remove(id)
            if let error = error as? SystemError { throw RuntimeError.setupFailed(error) }
            throw error
        }
    }

    // MARK: - start

    /// Lets a created container's init exec its program (opens the exec fifo for reading).
    public func start(id: String) throws {
        try StateStore.validate(id: id)
        try store.withLock(id) {
            guard let stored = try store.load(id) else { throw RuntimeError.invalidState(id: id, status: .creating, action: "start") }
            let status = currentStatus(stored)
            guard status.canStart else { throw RuntimeError.invalidState(id: id, status: status, action: "start") }
            let fifo = store.directory(id) + "/" + StateStore.fifoName
            let fd = try sys("open", fifo) { open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC) }
            defer { close(fd) }
            // The init's open(O_WRONLY) now completes; wait for its byte, checking that it is
            // still alive so a dead init cannot hang us.
            var byte: UInt8 = 0
            while true {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&pfd, 1, 100)
                if ready < 0 && errno != EINTR { throw SystemError(errno: errno, operation: "poll", detail: fifo) }
                if ready > 0 {
                    let n = read(fd, &byte, 1)
                    if n == 1 { break }
                    if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
                }
                if !LiveProcess.isAlive(stored.pid, startTime: stored.pidStartTime) {
                    throw RuntimeError.invalidState(id: id, status: .stopped, action: "start")
                }
            }
            unlink(fifo)
            if let hooks = try spec(id)?.hooks?.poststart, !hooks.isEmpty {
                try HookRunner.run(hooks, state: try state(of: stored), phase: "poststart")
            }
        }
    }

    // MARK: - state, list

    public func state(id: String) throws -> ContainerState {
        try StateStore.validate(id: id)
        guard let stored = try store.load(id) else {
            return ContainerState(id: id, status: .creating, pid: 0, bundle: "", rootfs: "", created: "", cgroupPath: "")
        }
        return try state(of: stored)
    }

    public func list() throws -> [ContainerState] {
        try store.ids().compactMap { try? state(id: $0) }
    }

    func state(of stored: StoredContainer) throws -> ContainerState {
        let status = currentStatus(stored)
        var oom = stored.oomKilled ?? false
        if status == .stopped && stored.oomKilled == nil {
            oom = (try? oomKilled(cgroupPath: stored.cgroupPath, exit: stored.exitStatus)) ?? false
        }
        return ContainerState(
            id: stored.id, status: status, pid: status == .stopped ? 0 : stored.pid, bundle: stored.bundle,
            rootfs: stored.rootfs, created: stored.created, annotations: stored.annotations,
            cgroupPath: stored.cgroupPath, oomKilled: oom, exitStatus: stored.exitStatus)
    }

    func currentStatus(_ stored: StoredContainer) -> ContainerStatus {
        guard LiveProcess.isAlive(stored.pid, startTime: stored.pidStartTime) else { return .stopped }
        // As runc: a frozen cgroup makes it paused, whether it was created or running.
        if (try? freezer(of: stored)?.isFrozen()) == true { return .paused }
        return FileBytes.exists(store.directory(stored.id) + "/" + StateStore.fifoName) ? .created : .running
    }

    /// Whether the kernel OOM-killed a process in the container's cgroup (v2 memory.events
    /// oom_kill; v1 memory.oom_control oom_kill, or a SIGKILLed init with memory.failcnt > 0
    /// on kernels without that counter).
    public func oomKilled(id: String) throws -> Bool {
        guard let stored = try store.load(id) else { return false }
        if let recorded = stored.oomKilled { return recorded }
        return try oomKilled(cgroupPath: stored.cgroupPath, exit: stored.exitStatus)
    }

    func oomKilled(cgroupPath: String, exit: ExitStatus?) throws -> Bool {
        let manager = try Cgroups.manager(path: cgroupPath, root: cgroupRoot)
        if try manager.oomKillCount() > 0 { return true }
        if exit?.signal == SIGKILL {
            let failcnt = "\(cgroupRoot)/memory\(cgroupPath)/memory.failcnt"
            if let text = try? FileBytes.readString(failcnt), let count = UInt64(CgroupFile.trimmed(text)), count > 0 {
                return true
            }
        }
        return false
    }

    // MARK: - wait

    /// Waits for the container's init (a child of the caller), records how it ended and
    /// whether it was OOM-killed in the state, and returns the exit status.
    public func wait(id: String) throws -> ExitStatus {
        try StateStore.validate(id: id)
        guard let stored = try store.load(id) else { throw RuntimeError.notFound(id: id) }
        let exit = try Runtime.wait(pid: stored.pid)
        try store.withLock(id) {
            guard var current = try store.load(id) else { return }
            current.exitStatus = exit
            current.oomKilled = (try? oomKilled(cgroupPath: current.cgroupPath, exit: exit)) ?? false
            try store.save(current)
        }
        return exit
    }

    // MARK: - kill

    public func kill(id: String, signal: Int32, all: Bool = false) throws {
        try StateStore.validate(id: id)
        guard let stored = try store.load(id) else { throw RuntimeError.invalidState(id: id, status: .creating, action: "kill") }
        let status = currentStatus(stored)
        if all {
            guard status != .stopped || signal == SIGKILL else {
                throw RuntimeError.invalidState(id: id, status: status, action: "kill")
            }
            let manager = try Cgroups.manager(path: stored.cgroupPath, root: cgroupRoot)
            try manager.killAll(signal: signal)
            // As runc's signalAllProcesses, which freezes to signal and thaws after: a paused
            // container ends up thawed, so SIGKILL takes.
            if status == .paused { try manager.freezer?.set(frozen: false) }
            return
        }
        guard status.canKill else { throw RuntimeError.invalidState(id: id, status: status, action: "kill") }
        try sys("kill", "container \(id) (pid \(stored.pid))") { Glibc.kill(stored.pid, signal) }
        // A frozen task acts on no signal until thawed: SIGKILL thaws it so it dies, as
        // runc does; other signals wait for `resume`.
        if status == .paused && signal == SIGKILL {
            try freezer(of: stored)?.set(frozen: false)
        }
    }

    // MARK: - delete

    /// Removes a stopped (or created) container: its cgroup in every hierarchy and its
    /// state. `force` kills a running one first.
    public func delete(id: String, force: Bool = false) throws {
        try StateStore.validate(id: id)
        try store.withLock(id) {
            guard let stored = try store.load(id) else {
                // A create that died half-way: nothing runs, only the directory remains.
                try store.remove(id)
                return
            }
            let status = currentStatus(stored)
            guard status.canDelete(force: force) else {
                throw RuntimeError.invalidState(id: id, status: status, action: "delete")
            }
            try remove(stored, status: status, cgroup: try Cgroups.manager(path: stored.cgroupPath, root: cgroupRoot))
        }
    }

    /// Kills what still runs, removes the cgroup and the state, then runs poststop hooks.
    /// The caller holds the container's lock.
    private func remove(_ stored: StoredContainer, status: ContainerStatus, cgroup: CgroupManager) throws {
        if status != .stopped {
            _ = Glibc.kill(stored.pid, SIGKILL)
            try cgroup.killAll(signal: SIGKILL)
            if status == .paused { try cgroup.freezer?.set(frozen: false) }
            waitGone(stored)
        } else if !stored.namespaces.contains(.pid), !(try cgroup.processes()).isEmpty {
            // No PID namespace: the init's descendants may have outlived it.
            try cgroup.killAll(signal: SIGKILL)
        }
        try cgroup.destroy()
        let id = stored.id
        let poststop = stored.hasPoststopHooks == true ? ((try? spec(id))??.hooks?.poststop ?? []) : []
        var final = poststop.isEmpty ? nil : try state(of: stored)
        final?.status = .stopped
        try store.remove(id)
        if let final, !poststop.isEmpty {
            do {
                try HookRunner.run(poststop, state: final, phase: "poststop")
            } catch {
                logger.warning("poststop hook failed", metadata: ["id": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// Waits (up to about 2 s) until the init is gone or a zombie.
    private func waitGone(_ stored: StoredContainer) {
        for _ in 0..<2000 {
            if !LiveProcess.isAlive(stored.pid, startTime: stored.pidStartTime) { return }
            usleep(1000)
        }
    }

    /// The container's config.json as it was at create.
    public func spec(_ id: String) throws -> Spec? {
        let path = store.directory(id) + "/" + StateStore.configFile
        guard FileBytes.exists(path) else { return nil }
        return try SpecDecoder.load(Spec.self, path: path)
    }

    /// Makes the caller the subreaper of its descendants, so a container init whose parent
    /// exits (the runtime CLI after create) is reparented to it.
    public static func becomeSubreaper() {
        _ = crs_set_child_subreaper()
    }

    /// The child joins v1 hierarchies through their `tasks` files and is cloned straight
    /// into the cgroup2 directory: no cgroup.procs migration, so no RCU grace period.
    static func joinCgroup(_ manager: CgroupManager, request: inout SpawnRequest, fds: inout FDSet) throws {
        for file in manager.threadJoinFiles {
            request.cgroupProcsFDs.append(try fds.open(file, O_WRONLY | O_CLOEXEC))
        }
        if let dir = manager.unifiedDirectory {
            request.cgroupV2FD = try fds.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return ContainerPlanner.normalize(path) }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(cString: buffer)
        return ContainerPlanner.normalize(cwd + "/" + path)
    }
}
