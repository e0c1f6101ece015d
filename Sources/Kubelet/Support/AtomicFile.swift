import Foundation
import NodeSupport

/// Writes a whole file by rename, so readers see the old or the new contents, never half.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, mode: Int = 0o644) throws {
        let temp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temp, contents: data, attributes: [.posixPermissions: mode]) else {
            throw SystemError(errno: errno, operation: "cannot write", detail: temp, style: .libc)
        }
        if rename(temp, path) != 0 {
            let err = errno
            unlink(temp)
            throw SystemError(errno: err, operation: "cannot rename", detail: "\(temp) to \(path)", style: .libc)
        }
    }
}
