import Foundation

/// Runs a host command to completion and captures its output: the one place KubeProxy
/// starts processes (iptables, iptables-restore, iptables-save, modprobe, ip).
struct Command {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `name` (looked up in PATH, then /usr/sbin and /sbin) with `args`, feeding `input`
    /// on stdin through a temporary file so large rulesets never block on a pipe.
    static func run(_ name: String, _ args: [String], input: String? = nil) throws -> Output {
        guard let path = locate(name) else { throw ProxyError("\(name): command not found (install it with scripts/bootstrap.sh)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        var inputFile: URL?
        defer { if let inputFile { try? FileManager.default.removeItem(at: inputFile) } }
        if let input {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-proxy-\(UUID().uuidString)")
            try Data(input.utf8).write(to: url)
            inputFile = url
            process.standardInput = try FileHandle(forReadingFrom: url)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw ProxyError("\(path): cannot start: \(error.localizedDescription)")
        }
        // Drain stderr concurrently so a chatty child never blocks while we read stdout.
        let errBox = ErrorOutput()
        let errThread = Thread {
            errBox.data = stderr.fileHandleForReading.readDataToEndOfFile()
            errBox.done.signal()
        }
        errThread.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        errBox.done.wait()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    private final class ErrorOutput: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }

    static func locate(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
            let candidate = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// A proxy failure users can act on, as one line naming the command or file involved.
public struct ProxyError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}
