import CRuntimeShim
import Foundation
import NodeSupport
import Runtime

/// The body of `swiftlet monitor`: one per container, conmon-style. It is the parent and
/// subreaper of the container's init, pumps its output into the CRI log, and when the init
/// exits records the exit (code, signal, OOM) and deletes the runtime state. It runs as a
/// daemon in its own session, so containers outlive the agent.
public struct ContainerMonitor {
    public let runtime: ContainerRuntime
    public let files: ContainerFiles
    public let logPath: String
    /// Where the monitor reports `ok` once the container runs, or `error: …`; -1 for none.
    public let readyFD: Int32
    /// The inherited descriptor holding `files.monitorLockPath`, kept open until the monitor
    /// ends; -1 for none.
    public let lockFD: Int32

    public init(runtime: ContainerRuntime, files: ContainerFiles, logPath: String, readyFD: Int32, lockFD: Int32 = -1) {
        self.runtime = runtime
        self.files = files
        self.logPath = logPath
        self.readyFD = readyFD
        self.lockFD = lockFD
    }

    /// Runs the container to its end; returns the monitor's own exit code.
    public func run() -> Int32 {
        ContainerRuntime.becomeSubreaper()
        // The lock is the monitor's alone: nothing it starts may hold it past its end.
        if lockFD >= 0 { _ = fcntl(lockFD, F_SETFD, FD_CLOEXEC) }
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard crs_pipe_cloexec(&output) == 0, crs_pipe_cloexec(&errors) == 0, devNull >= 0 else {
            return fail("pipe: \(SystemError.message(errno, style: .libc))")
        }
        let pump: LogPump
        do {
            pump = try LogPump(stdout: output[0], stderr: errors[0], logPath: logPath)
        } catch {
            return fail("\(error)")
        }
        let pid: Int32
        do {
            var options = CreateOptions()
            options.stdin = devNull
            options.stdout = output[1]
            options.stderr = errors[1]
            options.startImmediately = true
            pid = try runtime.create(id: files.id, bundle: files.directory, options: options)
        } catch {
            close(output[1])
            close(errors[1])
            pump.run()
            try? runtime.delete(id: files.id, force: true)
            return fail("\(error)")
        }
        close(output[1])
        close(errors[1])
        close(devNull)
        do {
            try files.writeMonitor(MonitorRecord(monitorPID: getpid(), pid: pid, startedAt: Date()))
        } catch {
            _ = try? runtime.kill(id: files.id, signal: SIGKILL, all: true)
        }
        report("ok")
        let pumpThread = Thread { pump.run() }
        pumpThread.start()
        let status = Self.reap(pid)
        let oomKilled = (try? runtime.oomKilled(id: files.id)) ?? false
        let record = ExitRecord(
            exitCode: status.exitCode, signal: status.signal, oomKilled: oomKilled, finishedAt: Date(),
            message: nil)
        try? runtime.delete(id: files.id, force: true)
        // The pipes close once every process of the container is gone; the runtime's
        // delete killed any left in its cgroup.
        while !pumpThread.isFinished { usleep(2_000) }
        try? files.writeExit(record)
        return 0
    }

    /// Waits for `pid`, reaping the orphans that reparent to this subreaper meanwhile.
    static func reap(_ pid: Int32) -> (exitCode: Int32, signal: Int32?) {
        while true {
            var status: Int32 = 0
            let reaped = waitpid(-1, &status, 0)
            if reaped < 0 {
                if errno == EINTR { continue }
                return (255, nil)
            }
            guard reaped == pid else { continue }
            let exit = ExitStatus(waitStatus: status)
            return (exit.code, exit.signal)
        }
    }

    private func fail(_ message: String) -> Int32 {
        let record = ExitRecord(exitCode: 128, signal: nil, oomKilled: false, finishedAt: Date(), message: message)
        try? files.writeExit(record)
        report("error: " + message)
        return 1
    }

    private func report(_ line: String) {
        guard readyFD >= 0 else { return }
        let bytes = Array((line.replacingOccurrences(of: "\n", with: " ") + "\n").utf8)
        // An agent killed while it waited leaves no reader: the write fails with EPIPE
        // instead of killing the monitor, whose container the next agent adopts.
        let previous = signal(SIGPIPE, SIG_IGN)
        _ = bytes.withUnsafeBytes { write(readyFD, $0.baseAddress, $0.count) }
        signal(SIGPIPE, previous)
        close(readyFD)
    }
}
