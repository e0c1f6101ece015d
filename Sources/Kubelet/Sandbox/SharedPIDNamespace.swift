import CRuntimeShim
import Foundation
import NodeSupport
import Runtime

/// The PID namespace a pod with `shareProcessNamespace: true` gives all its containers: held
/// by a tiny process that is its PID 1 (upstream's pause container), recorded in the sandbox
/// directory so a restarted agent finds it again.
public struct SharedPIDNamespace: Sendable, Equatable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Appended to the sandbox directory to name the pod's shared PID namespace directory.
    public static let directorySuffix = "-pid"

    var recordPath: String { directory + "/pid-holder" }

    /// The holder's pid, when it is alive: the record holds its pid and start time, so a
    /// recycled pid is never taken for it (nor killed by `remove`).
    public var holder: Int32? {
        guard let text = try? String(contentsOfFile: recordPath, encoding: .utf8) else { return nil }
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let pid = Int32(fields[0]), let startTime = UInt64(fields[1]),
              LiveProcess.isAlive(pid, startTime: startTime) else { return nil }
        return pid
    }

    /// The namespace containers join, starting its holder when there is none.
    public func path() throws -> String {
        if let pid = holder { return "/proc/\(pid)/ns/pid" }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pid = crs_spawn_pid_namespace_holder()
        guard pid > 0 else {
            throw SystemError(errno: errno, operation: "start the pod's PID namespace holder", style: .libc)
        }
        guard let startTime = LiveProcess.stat(pid)?.startTime else {
            throw KubeletError("the pod's PID namespace holder \(pid) ended at once")
        }
        try AtomicFile.write(Data("\(pid) \(startTime)\n".utf8), to: recordPath)
        return "/proc/\(pid)/ns/pid"
    }

    /// Ends the holder (and with it anything left in the namespace).
    public func remove() {
        if let pid = holder { kill(pid, SIGKILL) }
        unlink(recordPath)
    }
}
