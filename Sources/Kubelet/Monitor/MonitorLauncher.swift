import CRuntimeShim
import Foundation
import NodeSupport

/// Starts a container's monitor (`swiftlet monitor …`) as a daemon and waits for its word:
/// the container runs, or the one-line reason it could not be created.
public struct MonitorLauncher: Sendable {
    /// The `swiftlet` executable to re-execute in monitor mode.
    public let executable: String
    public let runtimeRoot: String
    public let timeout: TimeInterval

    public init(executable: String = MonitorLauncher.currentExecutable(), runtimeRoot: String, timeout: TimeInterval = 60) {
        self.executable = executable
        self.runtimeRoot = runtimeRoot
        self.timeout = timeout
    }

    public static func currentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Launches the monitor for the container whose bundle is `files`; returns once the
    /// container's init runs. Throws the monitor's own error line otherwise.
    public func launch(files: ContainerFiles, logPath: String) throws {
        var ready: [Int32] = [-1, -1]
        guard crs_pipe_cloexec(&ready) == 0 else {
            throw SystemError(errno: errno, operation: "pipe", style: .libc)
        }
        defer { close(ready[0]) }
        let lock: Int32
        do {
            lock = try files.lockForMonitor()
        } catch {
            close(ready[1])
            throw error
        }
        // The monitor holds its own copy from here on; ours goes once it is spawned.
        defer { close(lock) }
        let arguments = [
            executable, "monitor", "--runtime-root", runtimeRoot, "--bundle", files.directory,
            "--id", files.id, "--log", logPath, "--ready-fd", String(ready[1]), "--lock-fd", String(lock),
        ]
        let environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        let pid = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in crs_spawn_daemon(executable, argv, envp, ready[1], lock) }
        }
        let spawnErrno = errno
        close(ready[1])
        guard pid > 0 else {
            throw SystemError(errno: spawnErrno, operation: "start monitor", detail: executable, style: .libc)
        }
        let answer = readLine(fd: ready[0])
        if answer == "ok" { return }
        if let answer, answer.hasPrefix("error: ") { throw KubeletError(String(answer.dropFirst(7))) }
        throw KubeletError("monitor for \(files.id) exited without a word")
    }

    private func readLine(fd: Int32) -> String? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let wait = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            let ready = poll(&pfd, 1, wait)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { break }
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[0..<n]
            if bytes.contains(UInt8(ascii: "\n")) { break }
        }
        guard !bytes.isEmpty else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init)
    }
}

/// Calls `body` with a NULL-terminated C array of the strings, valid for the call only.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
