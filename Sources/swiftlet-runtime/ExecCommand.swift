import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Runtime

/// `exec`: a new process in a running container.
struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a process in a running container.")
    @OptionGroup var globals: GlobalOptions
    @Flag(name: [.short, .long], help: "Allocate a pty (needs --console-socket).") var tty = false
    @Option(name: [.short, .long], help: "A process.json to run instead of CMD.") var process: String?
    @Option(name: [.short, .long], help: "Add an environment variable (KEY=VALUE).") var env: [String] = []
    @Option(help: "Working directory in the container.") var cwd: String?
    @Option(name: [.short, .long], help: "uid[:gid] to run as.") var user: String?
    @Flag(name: [.short, .long], help: "Do not wait for the process.") var detach = false
    @Option(name: .customLong("pid-file"), help: "Write the process's PID here.") var pidFile: String?
    @Option(name: .customLong("console-socket"), help: "Unix socket receiving the pty master.") var consoleSocket: String?
    @Argument(help: "Container id.") var id: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String] = []

    func validate() throws {
        if process == nil && command.isEmpty { throw ValidationError("give a command or --process") }
        if let user, parseUser(user) == nil { throw ValidationError("--user must be uid[:gid]") }
    }

    func parseUser(_ text: String) -> (UInt32, UInt32?)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard let uid = UInt32(parts[0]) else { return nil }
        if parts.count == 1 { return (uid, nil) }
        guard parts.count == 2, let gid = UInt32(parts[1]) else { return nil }
        return (uid, gid)
    }

    func run() throws {
        let runtime = globals.runtime
        let code: Int32 = try reportingErrors {
            var proc: Runtime.Process
            if let process {
                proc = try SpecDecoder.load(Runtime.Process.self, path: process)
            } else {
                // As runc: the container's process, with this command, more env, cwd, user.
                guard let base = try runtime.spec(id)?.process else { throw RuntimeError.notFound(id: id) }
                proc = base
                proc.args = command
                proc.env = (base.env ?? []) + env
                if let cwd { proc.cwd = cwd }
                if let user, let (uid, gid) = parseUser(user) {
                    proc.user.uid = uid
                    if let gid { proc.user.gid = gid }
                }
            }
            if tty { proc.terminal = true } else if process == nil { proc.terminal = false }
            let pid = try runtime.exec(
                id: id, process: proc,
                options: ExecOptions(tty: proc.terminal ?? false, consoleSocket: consoleSocket, pidFile: pidFile))
            if detach { return 0 }
            return try wait(pid: pid).code
        }
        if code != 0 { throw ExitCode(code) }
    }
}
