import CRuntimeShim
import Foundation
import NodeSupport
import Runtime

/// Runs a command in a running container and captures its output, for exec probes and
/// preStop hooks: the process is killed when the timeout passes.
enum ContainerExec {
    static let outputLimit = 10 * 1024

    static func run(runtime: ContainerRuntime, files: ContainerFiles, command: [String], timeout: TimeInterval) -> ExecResult {
        let id = files.id
        var fds: [Int32] = [-1, -1]
        guard crs_pipe_cloexec(&fds) == 0 else {
            return ExecResult(exitCode: 126, output: "pipe: \(SystemError.message(errno, style: .libc))", timedOut: false)
        }
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(fds[0]); if devNull >= 0 { close(devNull) } }
        let pid: Int32
        do {
            // The container's own process settings (user, env, cwd, capabilities) with new args.
            guard var process = try SpecDecoder.load(Spec.self, path: files.configPath).process else {
                throw KubeletError("\(files.configPath): no process")
            }
            process.args = command
            process.terminal = false
            var options = ExecOptions()
            options.stdin = devNull
            options.stdout = fds[1]
            options.stderr = fds[1]
            pid = try runtime.exec(id: id, process: process, options: options)
        } catch {
            close(fds[1])
            return ExecResult(exitCode: 126, output: "\(error)", timedOut: false)
        }
        close(fds[1])
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                timedOut = true
                break
            }
            var pfd = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(max(1, remaining * 1000)))
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { continue }
            let n = read(fds[0], &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            if output.count < outputLimit { output += buffer[0..<min(n, outputLimit - output.count)] }
        }
        if timedOut { kill(pid, SIGKILL) }
        let code = (try? Runtime.wait(pid: pid).code) ?? 255
        return ExecResult(exitCode: code, output: String(decoding: output, as: UTF8.self), timedOut: timedOut)
    }
}

/// `swiftlet exec`: a command in a running container with this process's stdio; returns
/// its exit code (128+N when killed by signal N).
public enum ContainerExecCLI {
    public static func run(layout: NodeLayout, id: String, command: [String], stdin: Bool, tty: Bool) throws -> Int32 {
        let runtime = ContainerRuntime(root: layout.runtimeRoot)
        let files = layout.container(id: id)
        guard var process = try SpecDecoder.load(Spec.self, path: files.configPath).process else {
            throw KubeletError("\(files.configPath): no process")
        }
        process.args = command
        process.terminal = tty
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(devNull) }
        var options = ExecOptions()
        options.stdin = stdin ? 0 : devNull
        options.stdout = 1
        options.stderr = 2
        // With a terminal, the container's pty master comes back over a console socket and
        // is relayed to this process's stdio, as runc does.
        var console: ConsoleListener?
        if tty {
            console = try ConsoleListener(directory: "/tmp")
            options.tty = true
            options.consoleSocket = console?.path
        }
        let pid = try runtime.exec(id: id, process: process, options: options)
        if let console {
            let master = try console.receiveMaster()
            ConsoleListener.relay(master: master, input: stdin ? 0 : devNull, output: 1)
            close(master)
        }
        return try Runtime.wait(pid: pid).code
    }
}
