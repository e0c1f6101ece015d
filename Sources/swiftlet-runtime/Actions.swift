#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Runtime

/// What the lifecycle commands do, shared by the swift-argument-parser commands and the
/// fast path: each is one library call plus the CLI's own I/O (printing, the pty relay,
/// signal forwarding).
enum Actions {
    static func runtime(root: String, cgroupParent: String, debug: Bool) -> ContainerRuntime {
        var logger = Logger(label: "swiftlet.runtime")
        logger.logLevel = debug ? .debug : .warning
        var runtime = ContainerRuntime(root: root, logger: logger)
        runtime.cgroupParent = cgroupParent
        return runtime
    }

    /// `--log FILE` and `--log-format json`: containerd's runc shim reads the error of a
    /// failed command from there.
    nonisolated(unsafe) static var errorLog: String?
    nonisolated(unsafe) static var errorLogJSON = false

    /// One line on stderr, as runc prints its errors, and in the --log file if given.
    static func report(_ error: Error) {
        let message = "\(error)"
        fputs("swiftlet-runtime: \(message)\n", stderr)
        guard let errorLog, let file = fopen(errorLog, "a") else { return }
        defer { fclose(file) }
        if errorLogJSON {
            var escaped = ""
            for scalar in message.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                default:
                    if scalar.value < 0x20 { escaped += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16) }
                    else { escaped.unicodeScalars.append(scalar) }
                }
            }
            fputs("{\"level\":\"error\",\"msg\":\"\(escaped)\"}\n", file)
        } else {
            fputs("level=error msg=\"\(message)\"\n", file)
        }
    }

    static func create(_ runtime: ContainerRuntime, id: String, bundle: String, options: CreateOptions) throws {
        _ = try runtime.create(id: id, bundle: bundle, options: options)
    }

    static func start(_ runtime: ContainerRuntime, id: String) throws {
        try runtime.start(id: id)
    }

    static func kill(_ runtime: ContainerRuntime, id: String, signal: Int32, all: Bool) throws {
        try runtime.kill(id: id, signal: signal, all: all)
    }

    static func delete(_ runtime: ContainerRuntime, id: String, force: Bool) throws {
        do {
            try runtime.delete(id: id, force: force)
        } catch RuntimeError.notFound where force {
            return  // as runc: --force on a missing container is not an error
        }
    }

    static func state(_ runtime: ContainerRuntime, id: String) throws {
        let state = try runtime.state(id: id)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(state), as: UTF8.self))
    }

    /// create + start; in the foreground, forwards signals, relays a terminal, waits, deletes
    /// and returns the container's exit code (128+N when killed by signal N).
    static func run(
        _ runtime: ContainerRuntime, id: String, bundle path: String, options: CreateOptions, detach: Bool, keep: Bool
    ) throws -> Int32 {
        var createOptions = options
        createOptions.startImmediately = true
        let bundle = try OCIBundle(path: path)
        // A terminal in the foreground without a console socket: be the socket and relay the
        // pty to our stdio, as runc does.
        var console: ConsoleListener?
        if !detach && createOptions.consoleSocket == nil && bundle.spec.process?.terminal == true {
            console = try ConsoleListener(directory: "/tmp")
            createOptions.consoleSocket = console?.path
        }
        if detach {
            try runtime.create(id: id, bundle: bundle, options: createOptions)
            return 0
        }
        if keep {
            let pid = try runtime.create(id: id, bundle: bundle, options: createOptions)
            try forwardAndRelay(pid: pid, console: console)
            return try runtime.wait(id: id).code
        }
        return try runtime.run(id: id, bundle: bundle, options: createOptions) { pid in
            try forwardAndRelay(pid: pid, console: console)
        }.code
    }

    /// Forwards terminal signals to the container's init and relays its pty, if any.
    private static func forwardAndRelay(pid: Int32, console: ConsoleListener?) throws {
        forwardedPid = pid
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2] {
            signal(sig) { received in if forwardedPid > 0 { Glibc.kill(forwardedPid, received) } }
        }
        if let console {
            let master = try console.receiveMaster()
            ConsoleListener.relay(master: master, input: 0, output: 1)
            close(master)
        }
    }
}

/// The PID `run` forwards terminal signals to (read by a C signal handler).
nonisolated(unsafe) var forwardedPid: Int32 = 0
