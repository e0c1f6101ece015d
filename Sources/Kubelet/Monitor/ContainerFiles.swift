import CRuntimeShim
import Foundation
import NodeSupport

/// What the kubelet knows about one container instance, written when it is created so a
/// restarted agent can tell whose container a directory holds (the CRI's labels).
public struct ContainerLabels: Codable, Sendable, Equatable {
    public var podUID: String
    public var podName: String
    public var namespace: String
    public var containerName: String
    /// 0 for the first run; the pod's restartCount for the container at creation.
    public var attempt: Int
    public var isInit: Bool
    public var image: String
    public var imageID: String
    public var logPath: String
    public var createdAt: Date
}

/// Written by the monitor once the container's init runs.
public struct MonitorRecord: Codable, Sendable, Equatable {
    public var monitorPID: Int32
    public var pid: Int32
    public var startedAt: Date
}

/// Written by the monitor when the container's init has exited, before it deletes the
/// runtime state: the facts status needs (exit code, signal, OOM) outlive the container.
public struct ExitRecord: Codable, Sendable, Equatable {
    public var exitCode: Int32
    public var signal: Int32?
    public var oomKilled: Bool
    public var finishedAt: Date
    /// Set when the container never started (its create failed).
    public var message: String?
}

/// The files of one container under `<root>/containers/<id>/`: it is also the OCI bundle.
public struct ContainerFiles: Sendable, Equatable {
    public let id: String
    public let directory: String

    public init(root: String, id: String) {
        self.id = id
        self.directory = root + "/containers/" + id
    }

    public var configPath: String { directory + "/config.json" }
    public var rootfsPath: String { directory + "/rootfs" }
    public var labelsPath: String { directory + "/labels.json" }
    public var monitorPath: String { directory + "/monitor.json" }
    public var exitPath: String { directory + "/exit.json" }
    /// Locked by the container's monitor for its whole life (see `lockForMonitor`).
    public var monitorLockPath: String { directory + "/monitor.lock" }

    public func writeLabels(_ labels: ContainerLabels) throws { try JSONFile.write(labels, to: labelsPath) }
    public func labels() -> ContainerLabels? { JSONFile.read(ContainerLabels.self, from: labelsPath) }
    public func writeMonitor(_ record: MonitorRecord) throws { try JSONFile.write(record, to: monitorPath) }
    public func monitor() -> MonitorRecord? { JSONFile.read(MonitorRecord.self, from: monitorPath) }
    public func writeExit(_ record: ExitRecord) throws { try JSONFile.write(record, to: exitPath) }
    public func exit() -> ExitRecord? { JSONFile.read(ExitRecord.self, from: exitPath) }

    /// Opens and locks the monitor lock for a monitor about to be launched: the launcher
    /// holds it from before the spawn and the monitor inherits the descriptor, so the lock is
    /// held without a gap until the monitor has recorded the exit and ended. Throws when
    /// another monitor holds it.
    public func lockForMonitor() throws -> Int32 {
        let fd = open(monitorLockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SystemError(errno: errno, operation: "open", detail: monitorLockPath, style: .libc)
        }
        var lock = Self.wholeFile(F_WRLCK)
        guard fcntl(fd, CRS_F_OFD_SETLK, &lock) == 0 else {
            let err = errno
            close(fd)
            guard err == EAGAIN || err == EACCES else {
                throw SystemError(errno: err, operation: "lock", detail: monitorLockPath, style: .libc)
            }
            throw KubeletError("lock \(monitorLockPath): a monitor already runs container \(id)")
        }
        return fd
    }

    /// Whether a monitor runs for this container. The kernel drops the monitor's lock when
    /// it ends, however it ends, so neither a reused pid nor an unreaped (zombie) monitor
    /// passes for a live one, as they would with `kill(pid, 0)`. The probe only asks
    /// (F_OFD_GETLK) and takes no lock, so it never makes a launcher think a monitor runs.
    public func monitorRunning() -> Bool {
        let fd = open(monitorLockPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var lock = Self.wholeFile(F_RDLCK)
        return fcntl(fd, CRS_F_OFD_GETLK, &lock) == 0 && lock.l_type != F_UNLCK
    }

    /// An open-file-description lock over the whole file: like flock(2), it belongs to the
    /// open file, so the monitor holds it through the descriptor it inherits.
    private static func wholeFile(_ type: Int32) -> flock {
        var lock = flock()
        lock.l_type = Int16(type)
        lock.l_whence = Int16(SEEK_SET)
        return lock
    }

    /// The ids of every container directory under `root`.
    public static func all(root: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/containers")) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }
}
