import CRuntimeShim
import Foundation
import NodeSupport

/// The pinned network, IPC and UTS namespaces of one pod sandbox: nsfs files bind-mounted
/// under the run dir, which every container of the pod joins by path.
public struct SandboxNamespaces: Sendable, Equatable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var networkPath: String { directory + "/net" }
    public var ipcPath: String { directory + "/ipc" }
    public var utsPath: String { directory + "/uts" }

    /// Whether the namespaces are pinned: the net file is a mount (an nsfs file lives on
    /// another device than the directory holding it).
    public var exists: Bool {
        var file = stat()
        var dir = stat()
        return stat(networkPath, &file) == 0 && stat(directory, &dir) == 0 && file.st_dev != dir.st_dev
    }

    /// Creates and pins fresh namespaces with the pod's hostname.
    public func create(hostname: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for path in [networkPath, ipcPath, utsPath] {
            let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o444)
            if fd < 0 {
                throw SystemError(errno: errno, operation: "create", detail: path, style: .libc)
            }
            close(fd)
        }
        var stage: UnsafePointer<CChar>? = nil
        let kinds = CRS_PIN_NET | CRS_PIN_IPC | CRS_PIN_UTS
        if crs_pin_namespaces(kinds, hostname, networkPath, ipcPath, utsPath, &stage) < 0 {
            let code = errno
            let operation = stage.map { String(cString: $0) } ?? "pin"
            try? remove()
            throw SystemError(errno: code, operation: operation, detail: directory, style: .libc)
        }
    }

    /// Unpins and removes the namespace files; a namespace dies with its last user.
    public func remove() throws {
        for path in [networkPath, ipcPath, utsPath] {
            _ = umount2(path, Int32(MNT_DETACH))
            if unlink(path) < 0 && errno != ENOENT {
                throw SystemError(errno: errno, operation: "unlink", detail: path, style: .libc)
            }
        }
        if rmdir(directory) < 0 && errno != ENOENT {
            throw SystemError(errno: errno, operation: "rmdir", detail: directory, style: .libc)
        }
    }
}
