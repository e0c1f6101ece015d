import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Runtime

/// `create`: sets the container up; its init waits for `start`.
struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a container (its process waits for start).")
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var options: CreateFlags
    @Argument(help: "Container id.") var id: String

    func run() throws {
        try reportingErrors {
            try Actions.create(globals.runtime, id: id, bundle: options.bundle, options: options.createOptions(startImmediately: false))
        }
    }
}

/// The flags `create` and `run` share.
struct CreateFlags: ParsableArguments {
    @Option(name: [.short, .long], help: "The bundle directory (holding config.json).")
    var bundle: String = "."
    @Option(name: .customLong("pid-file"), help: "Write the init's PID here.")
    var pidFile: String?
    @Option(name: .customLong("console-socket"), help: "Unix socket receiving the pty master.")
    var consoleSocket: String?
    @Flag(name: .customLong("no-pivot"), help: "Use MS_MOVE + chroot instead of pivot_root.")
    var noPivot = false
    @Flag(name: .customLong("no-new-keyring"), help: "Accepted for runc compatibility.")
    var noNewKeyring = false
    @Option(name: .customLong("preserve-fds"), help: "Accepted for runc compatibility (must be 0).")
    var preserveFds: Int = 0

    func validate() throws {
        if preserveFds != 0 { throw ValidationError("--preserve-fds is not supported") }
    }

    func createOptions(startImmediately: Bool) -> CreateOptions {
        CreateOptions(pidFile: pidFile, consoleSocket: consoleSocket, startImmediately: startImmediately, noPivot: noPivot)
    }
}

/// `start`: lets a created container exec its program.
struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start a created container.")
    @OptionGroup var globals: GlobalOptions
    @Argument(help: "Container id.") var id: String

    func run() throws {
        try reportingErrors { try Actions.start(globals.runtime, id: id) }
    }
}

/// `run`: create + start; in the foreground, waits and exits with the container's status.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create and start a container.")
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var options: CreateFlags
    @Flag(name: [.short, .long], help: "Do not wait for the container.")
    var detach = false
    @Flag(name: .customLong("keep"), help: "Do not delete the container when it exits.")
    var keep = false
    @Argument(help: "Container id.") var id: String

    func run() throws {
        let code = try reportingErrors {
            try Actions.run(globals.runtime, id: id, bundle: options.bundle, options: options.createOptions(startImmediately: true), detach: detach, keep: keep)
        }
        if code != 0 { throw ExitCode(code) }
    }
}

/// `kill`: signals the init (or, with --all, every process of the container).
struct Kill: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send a signal to a container.")
    @OptionGroup var globals: GlobalOptions
    @Flag(name: [.short, .long], help: "Signal every process in the container's cgroup.")
    var all = false
    @Argument(help: "Container id.") var id: String
    @Argument(help: "Signal name or number (default SIGTERM).") var signal: String = "SIGTERM"

    func validate() throws {
        if Signals.number(signal) == nil { throw ValidationError("unknown signal \"\(signal)\"") }
    }

    func run() throws {
        try reportingErrors { try Actions.kill(globals.runtime, id: id, signal: Signals.number(signal)!, all: all) }
    }
}

/// `delete`: removes a stopped container (with --force, a running one too).
struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete a container.")
    @OptionGroup var globals: GlobalOptions
    @Flag(name: [.short, .long], help: "Kill the container first if it runs.")
    var force = false
    @Argument(help: "Container id.") var id: String

    func run() throws {
        try reportingErrors { try Actions.delete(globals.runtime, id: id, force: force) }
    }
}

/// `pause`: freezes every process of the container (its cgroup freezer).
struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Pause (freeze) every process of a container.")
    @OptionGroup var globals: GlobalOptions
    @Argument(help: "Container id.") var id: String

    func run() throws {
        try reportingErrors { try globals.runtime.pause(id: id) }
    }
}

/// `resume`: thaws a paused container.
struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume a paused container.")
    @OptionGroup var globals: GlobalOptions
    @Argument(help: "Container id.") var id: String

    func run() throws {
        try reportingErrors { try globals.runtime.resume(id: id) }
    }
}

/// Signal names (with or without SIG) and numbers.
enum Signals {
    static let names: [String: Int32] = [
        "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "ILL": SIGILL, "TRAP": SIGTRAP, "ABRT": SIGABRT,
        "IOT": SIGABRT, "BUS": SIGBUS, "FPE": SIGFPE, "KILL": SIGKILL, "USR1": SIGUSR1, "SEGV": SIGSEGV,
        "USR2": SIGUSR2, "PIPE": SIGPIPE, "ALRM": SIGALRM, "TERM": SIGTERM, "STKFLT": SIGSTKFLT,
        "CHLD": SIGCHLD, "CONT": SIGCONT, "STOP": SIGSTOP, "TSTP": SIGTSTP, "TTIN": SIGTTIN,
        "TTOU": SIGTTOU, "URG": SIGURG, "XCPU": SIGXCPU, "XFSZ": SIGXFSZ, "VTALRM": SIGVTALRM,
        "PROF": SIGPROF, "WINCH": SIGWINCH, "IO": SIGIO, "POLL": SIGIO, "PWR": SIGPWR, "SYS": SIGSYS,
    ]

    static func number(_ text: String) -> Int32? {
        if let n = Int32(text) { return n > 0 && n < 65 ? n : nil }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        return names[name]
    }
}
