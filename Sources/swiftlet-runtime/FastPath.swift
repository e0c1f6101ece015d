import Runtime

/// A parser for the command lines a container engine sends on every container start
/// (`[globals] create|start|run|state|kill|delete [flags] ID`): swift-argument-parser's
/// reflection costs about 4 ms per process, half of a `run`. Anything it does not know
/// exactly (help, other commands, unknown or malformed flags) returns nil, and the
/// ArgumentParser commands — which define the interface — parse it instead.
struct FastPath {
    var root = "/run/swiftlet-runtime"
    var cgroupParent = "/swiftlet"
    var command = ""
    var id: String?
    var bundle = "."
    var pidFile: String?
    var consoleSocket: String?
    var noPivot = false
    var detach = false
    var keep = false
    var force = false
    var all = false
    var signal: String?
    var log: String?
    var logFormat: String?

    static func parse(_ args: [String]) -> FastPath? {
        var p = FastPath()
        var i = 0
        /// The value of "--flag VALUE" or "--flag=VALUE".
        func value(_ arg: String, _ names: [String]) -> String?? {
            for name in names {
                if arg == name {
                    guard i + 1 < args.count else { return .some(nil) }
                    i += 1
                    return .some(args[i])
                }
                if name.hasPrefix("--") && arg.hasPrefix(name + "=") { return .some(String(arg.dropFirst(name.count + 1))) }
            }
            return nil
        }
        // Globals, before the command.
        while i < args.count, args[i].hasPrefix("-") {
            let arg = args[i]
            if let v = value(arg, ["--root"]) { guard let v else { return nil }; p.root = v }
            else if let v = value(arg, ["--cgroup-parent"]) { guard let v else { return nil }; p.cgroupParent = v }
            else if let v = value(arg, ["--log"]) { guard let v else { return nil }; p.log = v }
            else if let v = value(arg, ["--log-format"]) { guard let v else { return nil }; p.logFormat = v }
            else { return nil }
            i += 1
        }
        guard i < args.count else { return nil }
        p.command = args[i]
        i += 1
        guard ["create", "start", "run", "state", "kill", "delete"].contains(p.command) else { return nil }
        var positional: [String] = []
        while i < args.count {
            let arg = args[i]
            if arg.hasPrefix("-") && arg != "-" {
                switch p.command {
                case "create", "run":
                    if let v = value(arg, ["--bundle", "-b"]) { guard let v else { return nil }; p.bundle = v }
                    else if let v = value(arg, ["--pid-file"]) { guard let v else { return nil }; p.pidFile = v }
                    else if let v = value(arg, ["--console-socket"]) { guard let v else { return nil }; p.consoleSocket = v }
                    else if arg == "--no-pivot" { p.noPivot = true }
                    else if arg == "--no-new-keyring" { }
                    else if p.command == "run" && (arg == "--detach" || arg == "-d") { p.detach = true }
                    else if p.command == "run" && arg == "--keep" { p.keep = true }
                    else { return nil }
                case "delete":
                    guard arg == "--force" || arg == "-f" else { return nil }
                    p.force = true
                case "kill":
                    guard arg == "--all" || arg == "-a" else { return nil }
                    p.all = true
                default:
                    return nil
                }
            } else {
                positional.append(arg)
            }
            i += 1
        }
        switch (p.command, positional.count) {
        case (_, 1): p.id = positional[0]
        case ("kill", 2):
            p.id = positional[0]
            p.signal = positional[1]
            if Signals.number(positional[1]) == nil { return nil }
        default: return nil
        }
        return p
    }

    /// Runs the command; returns the process exit status.
    func execute() -> Int32 {
        Actions.errorLog = log
        Actions.errorLogJSON = logFormat == "json"
        let runtime = Actions.runtime(root: root, cgroupParent: cgroupParent, debug: false)
        guard let id else { return 1 }
        let options = CreateOptions(pidFile: pidFile, consoleSocket: consoleSocket, noPivot: noPivot)
        do {
            switch command {
            case "create": try Actions.create(runtime, id: id, bundle: bundle, options: options)
            case "start": try Actions.start(runtime, id: id)
            case "run": return try Actions.run(runtime, id: id, bundle: bundle, options: options, detach: detach, keep: keep)
            case "state": try Actions.state(runtime, id: id)
            case "kill": try Actions.kill(runtime, id: id, signal: Signals.number(signal ?? "SIGTERM")!, all: all)
            case "delete": try Actions.delete(runtime, id: id, force: force)
            default: return 1
            }
            return 0
        } catch {
            Actions.report(error)
            return 1
        }
    }
}
