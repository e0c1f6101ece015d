import ArgumentParser
import NodeSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Runtime

/// `state`: the OCI state as JSON.
struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Print a container's state as JSON.")
    @OptionGroup var globals: GlobalOptions
    @Argument(help: "Container id.") var id: String

    func run() throws {
        try reportingErrors { try Actions.state(globals.runtime, id: id) }
    }
}

/// `list`: the containers under --root.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.")
    @OptionGroup var globals: GlobalOptions
    @Flag(name: .shortAndLong, help: "Print only the ids.") var quiet = false
    @Option(name: .shortAndLong, help: "table or json.") var format: String = "table"

    func validate() throws {
        if format != "table" && format != "json" { throw ValidationError("--format must be table or json") }
    }

    func run() throws {
        try reportingErrors {
            let states = try globals.runtime.list()
            if quiet {
                for s in states { print(s.id) }
            } else if format == "json" {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(states), as: UTF8.self))
            } else {
                func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }
                print(pad("ID", 20) + pad("PID", 10) + pad("STATUS", 10) + pad("BUNDLE", 40) + "CREATED")
                for s in states {
                    print(pad(s.id, 20) + pad(String(s.pid), 10) + pad(s.status.rawValue, 10) + pad(s.bundle, 40) + s.created)
                }
            }
        }
    }
}

/// `spec`: writes a default config.json (Docker's capabilities and seccomp profile).
struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "spec", abstract: "Write a default config.json.")
    @OptionGroup var globals: GlobalOptions
    @Option(name: [.short, .long], help: "Directory to write config.json into.") var bundle: String = "."

    func run() throws {
        try reportingErrors {
            let path = bundle + "/config.json"
            if access(path, F_OK) == 0 { throw ValidationError("\(path) already exists") }
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd < 0 { throw SystemError(errno: errno, operation: "create", detail: path) }
            defer { close(fd) }
            let bytes = Array((DefaultSpec.json + "\n").utf8)
            if write(fd, bytes, bytes.count) != bytes.count {
                throw SystemError(errno: errno, operation: "write", detail: path)
            }
        }
    }
}
