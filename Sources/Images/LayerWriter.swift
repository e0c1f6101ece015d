import CArchive
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes tar entries into a directory without ever writing outside it, converting OCI
/// whiteouts for overlayfs: `.wh.NAME` becomes a 0/0 character device `NAME`, and
/// `.wh..wh..opq` marks its directory opaque (`trusted.overlay.opaque=y`).
///
/// Every parent is opened with openat2(RESOLVE_BENEATH), and the last component is created
/// with *at() calls that do not follow it, so `../` names, absolute symlinks and symlinks
/// climbing out of the tree refuse the entry rather than redirect it; hardlink targets are
/// resolved the same way.
final class LayerWriter {
    struct Options {
        /// Turn `.wh.` entries into overlayfs whiteouts (layers), or write them as files.
        var overlayWhiteouts = true
        /// chown to the entry's uid/gid (needs root).
        var preserveOwnership = true
        /// Create device nodes and FIFOs; when false they are skipped.
        var specialFiles = true
    }

    static let whiteoutPrefix = ".wh."
    static let opaqueMarker = ".wh..wh..opq"
    static let whiteoutMetaPrefix = ".wh..wh."

    private let root: BeneathDirectory
    private let label: String
    private let options: Options
    private let logger: Logger
    /// Directories get their mode and times after their contents are written.
    private var directories: [(path: LayerPath, mode: mode_t, times: [timespec])] = []
    private let isRoot = geteuid() == 0

    init(root: BeneathDirectory, label: String, options: Options, logger: Logger) {
        self.root = root
        self.label = label
        self.options = options
        self.logger = logger
    }

    private func refuse(_ entry: String, _ reason: String) -> ImageError {
        .unsafeEntry(layer: label, entry: entry, reason: reason)
    }

    /// Writes every entry of `reader`, then directory modes and times.
    func writeAll(from reader: TarReader) throws {
        while let entry = try reader.next() {
            try write(entry, from: reader)
        }
        try finish()
    }

    func write(_ entry: OpaquePointer, from reader: TarReader) throws {
        guard let rawName = archive_entry_pathname(entry) else { return }
        guard let name = String(validatingCString: rawName) else {
            throw refuse(String(cString: rawName), "file name is not UTF-8")
        }
        guard let path = LayerPath(cleaning: name) else {
            throw refuse(name, "path escapes the layer root")
        }
        let type = archive_entry_filetype(entry)
        if path.isRoot {
            if type == S_IFDIR { try rememberDirectory(path, entry) }
            return
        }

        if options.overlayWhiteouts && path.name.hasPrefix(LayerWriter.whiteoutPrefix) {
            // `.wh..wh.` names other than the opaque marker are aufs bookkeeping (`.wh..wh.plnk`),
            // not whiteouts; containerd skips them too.
            if path.name.hasPrefix(LayerWriter.whiteoutMetaPrefix) && path.name != LayerWriter.opaqueMarker { return }
            try writeWhiteout(path, entryName: name)
            return
        }

        let parent = try openParent(of: path, entryName: name)
        defer { close(parent) }
        let base = path.name

        if let rawTarget = archive_entry_hardlink(entry) {
            try writeHardlink(path, target: String(cString: rawTarget), in: parent, entryName: name)
            return
        }

        try removeExisting(base, in: parent, keepDirectory: type == S_IFDIR, entryName: name)
        let mode = archive_entry_perm(entry)
        let uid = uid_t(truncatingIfNeeded: archive_entry_uid(entry))
        let gid = gid_t(truncatingIfNeeded: archive_entry_gid(entry))
        let times = LayerWriter.times(of: entry)
        let shown = "\(root.path)/\(path)"

        switch type {
        case S_IFDIR:
            if mkdirat(parent, base, 0o700) != 0 && errno != EEXIST {
                throw ImageError.system(operation: "mkdir", path: shown, errno: errno)
            }
            let fd = try ImageError.check("open", shown) {
                openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            defer { close(fd) }
            try chown(fd: fd, uid, gid, shown)
            try setXattrs(entry, fd: fd, shown)
            try rememberDirectory(path, entry)
        case S_IFREG:
            let fd = try ImageError.check("create", shown) {
                openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            }
            defer { close(fd) }
            try reader.readData { block, offset in
                var done = 0
                while done < block.count {
                    let n = try ImageError.check("write", shown) {
                        pwrite(fd, block.baseAddress! + done, block.count - done, off_t(offset) + off_t(done))
                    }
                    done += n
                }
            }
            try ImageError.check("truncate", shown) { ftruncate(fd, off_t(archive_entry_size(entry))) }
            try chown(fd: fd, uid, gid, shown)
            // After chown, which clears set-id bits.
            try ImageError.check("chmod", shown) { fchmod(fd, mode) }
            try setXattrs(entry, fd: fd, shown)
            var t = times
            try ImageError.check("utimes", shown) { futimens(fd, &t) }
        case S_IFLNK:
            let target = archive_entry_symlink(entry).map { String(cString: $0) } ?? ""
            try ImageError.check("symlink", shown) { symlinkat(target, parent, base) }
            try chownNoFollow(parent, base, uid, gid, shown)
            var t = times
            try ImageError.check("utimes", shown) { utimensat(parent, base, &t, AT_SYMLINK_NOFOLLOW) }
        case S_IFCHR, S_IFBLK, S_IFIFO:
            guard options.specialFiles else {
                logger.debug("skipping special file", metadata: ["layer": "\(label)", "entry": "\(name)"])
                return
            }
            let device = car_makedev(UInt32(archive_entry_rdevmajor(entry)), UInt32(archive_entry_rdevminor(entry)))
            try ImageError.check("mknod", shown) { mknodat(parent, base, type | mode, device) }
            try chownNoFollow(parent, base, uid, gid, shown)
            try ImageError.check("chmod", shown) { fchmodat(parent, base, mode, 0) }
            var t = times
            try ImageError.check("utimes", shown) { utimensat(parent, base, &t, AT_SYMLINK_NOFOLLOW) }
        default:
            // Sockets cannot be meaningfully restored; tar tools skip them too.
            logger.debug("skipping entry of unsupported type", metadata: ["layer": "\(label)", "entry": "\(name)"])
        }
    }

    /// Applies deferred directory modes and times, deepest first.
    func finish() throws {
        for directory in directories.reversed() {
            let shown = "\(root.path)/\(directory.path)"
            let fd = root.openRaw(directory.path.relative, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
            if fd < 0 {
                // Replaced by a later entry of another type: nothing to apply.
                if errno == ENOENT || errno == ENOTDIR || errno == ELOOP { continue }
                throw ImageError.system(operation: "open", path: shown, errno: errno)
            }
            defer { close(fd) }
            try ImageError.check("chmod", shown) { fchmod(fd, directory.mode) }
            var t = directory.times
            try ImageError.check("utimes", shown) { futimens(fd, &t) }
        }
        directories.removeAll()
    }

    // MARK: entries

    private func rememberDirectory(_ path: LayerPath, _ entry: OpaquePointer) throws {
        if path.isRoot, options.preserveOwnership {
            try chown(fd: root.fd, uid_t(truncatingIfNeeded: archive_entry_uid(entry)),
                      gid_t(truncatingIfNeeded: archive_entry_gid(entry)), root.path)
        }
        directories.append((path, archive_entry_perm(entry), LayerWriter.times(of: entry)))
    }

    private func writeWhiteout(_ path: LayerPath, entryName: String) throws {
        let parent = try openParent(of: path, entryName: entryName)
        defer { close(parent) }
        let parentShown = "\(root.path)/\(path.parent)"
        if path.name == LayerWriter.opaqueMarker {
            let fd = try ImageError.check("open", parentShown) {
                openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            }
            defer { close(fd) }
            try ImageError.check("setxattr trusted.overlay.opaque", parentShown) {
                fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0)
            }
            return
        }
        let hidden = String(path.name.dropFirst(LayerWriter.whiteoutPrefix.count))
        guard !hidden.isEmpty, hidden != ".", hidden != ".." else {
            throw refuse(entryName, "whiteout names no file")
        }
        try removeExisting(hidden, in: parent, keepDirectory: false, entryName: entryName)
        try ImageError.check("mknod whiteout", "\(parentShown)/\(hidden)") {
            mknodat(parent, hidden, S_IFCHR | 0, car_makedev(0, 0))
        }
    }

    private func writeHardlink(_ path: LayerPath, target: String, in parent: Int32, entryName: String) throws {
        guard let targetPath = LayerPath(cleaning: target), !targetPath.isRoot else {
            throw refuse(entryName, "hardlink target \"\(target)\" escapes the layer root")
        }
        let targetParent = try openParent(of: targetPath, entryName: entryName, create: false)
        defer { close(targetParent) }
        var st = stat()
        if fstatat(targetParent, targetPath.name, &st, AT_SYMLINK_NOFOLLOW) != 0 {
            throw refuse(entryName, "hardlink target \"\(target)\" does not exist in the layer")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw refuse(entryName, "hardlink target \"\(target)\" is a directory")
        }
        try removeExisting(path.name, in: parent, keepDirectory: false, entryName: entryName)
        // linkat without AT_SYMLINK_FOLLOW links a symlink itself, never what it points to.
        try ImageError.check("link", "\(root.path)/\(path)") {
            linkat(targetParent, targetPath.name, parent, path.name, 0)
        }
    }

    // MARK: helpers

    /// Opens the entry's parent directory beneath the root, creating missing directories
    /// (0755) one component at a time; EXDEV means a symlink or `..` pointed outside.
    private func openParent(of path: LayerPath, entryName: String, create: Bool = true) throws -> Int32 {
        let parent = path.parent
        let flags = O_RDONLY | O_DIRECTORY
        let fd = root.openRaw(parent.relative, flags: flags)
        if fd >= 0 { return fd }
        if errno == ENOENT && create {
            var current = try ImageError.check("open", root.path) { dup(root.fd) }
            for (i, component) in parent.components.enumerated() {
                let prefix = LayerPath(components: Array(parent.components[0...i]))
                var next = root.openRaw(prefix.relative, flags: flags)
                if next < 0 && errno == ENOENT {
                    if mkdirat(current, component, 0o755) != 0 && errno != EEXIST {
                        let code = errno
                        close(current)
                        throw ImageError.system(operation: "mkdir", path: "\(root.path)/\(prefix)", errno: code)
                    }
                    next = root.openRaw(prefix.relative, flags: flags)
                }
                if next < 0 {
                    let code = errno
                    close(current)
                    throw parentError(code, parent: prefix, entryName: entryName)
                }
                close(current)
                current = next
            }
            return current
        }
        throw parentError(errno, parent: parent, entryName: entryName)
    }

    private func parentError(_ code: Int32, parent: LayerPath, entryName: String) -> ImageError {
        switch code {
        case EXDEV:
            return refuse(entryName, "\"\(parent)\" resolves outside the layer root (absolute or escaping symlink)")
        case ELOOP:
            return refuse(entryName, "too many symlinks resolving \"\(parent)\"")
        case ENOTDIR:
            return refuse(entryName, "\"\(parent)\" is not a directory")
        case ENOENT:
            return refuse(entryName, "\"\(parent)\" does not exist in the layer")
        default:
            return .system(operation: "open", path: "\(root.path)/\(parent)", errno: code)
        }
    }

    /// Makes room for a new entry: anything but a directory that stays a directory goes.
    private func removeExisting(_ name: String, in parent: Int32, keepDirectory: Bool, entryName: String) throws {
        var st = stat()
        guard fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
        if isDirectory && keepDirectory { return }
        if isDirectory {
            try LayerWriter.removeTree(parent, name, shown: entryName)
        } else {
            try ImageError.check("unlink", "\(root.path)/\(entryName)") { unlinkat(parent, name, 0) }
        }
    }

    /// rm -rf of `name` in `parent`, never following symlinks.
    static func removeTree(_ parent: Int32, _ name: String, shown: String) throws {
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd >= 0 {
            guard let dir = fdopendir(fd) else {
                close(fd)
                throw ImageError.system(operation: "opendir", path: shown, errno: errno)
            }
            var names: [String] = []
            while let item = readdir(dir) {
                let child = withUnsafeBytes(of: item.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if child != "." && child != ".." { names.append(child) }
            }
            for child in names {
                if unlinkat(fd, child, 0) != 0 {
                    if errno == EISDIR || errno == EPERM {
                        try removeTree(fd, child, shown: shown + "/" + child)
                    } else if errno != ENOENT {
                        let code = errno
                        closedir(dir)
                        throw ImageError.system(operation: "unlink", path: shown + "/" + child, errno: code)
                    }
                }
            }
            closedir(dir)
            try ImageError.check("rmdir", shown) { unlinkat(parent, name, AT_REMOVEDIR) }
        } else if errno == ENOTDIR || errno == ELOOP {
            try ImageError.check("unlink", shown) { unlinkat(parent, name, 0) }
        } else if errno != ENOENT {
            throw ImageError.system(operation: "open", path: shown, errno: errno)
        }
    }

    private func chown(fd: Int32, _ uid: uid_t, _ gid: gid_t, _ shown: String) throws {
        guard options.preserveOwnership else { return }
        if fchown(fd, uid, gid) != 0 {
            if errno == EPERM && !isRoot { return }
            throw ImageError.system(operation: "chown", path: shown, errno: errno)
        }
    }

    private func chownNoFollow(_ parent: Int32, _ name: String, _ uid: uid_t, _ gid: gid_t, _ shown: String) throws {
        guard options.preserveOwnership else { return }
        if fchownat(parent, name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0 {
            if errno == EPERM && !isRoot { return }
            throw ImageError.system(operation: "chown", path: shown, errno: errno)
        }
    }

    private func setXattrs(_ entry: OpaquePointer, fd: Int32, _ shown: String) throws {
        guard archive_entry_xattr_reset(entry) > 0 else { return }
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK {
            guard let name else { continue }
            let key = String(cString: name)
            // Overlay's own attributes are ours to set (from whiteouts), not the layer's.
            if key.hasPrefix("trusted.overlay.") { continue }
            if fsetxattr(fd, name, value, size, 0) != 0 {
                if errno == ENOTSUP || (errno == EPERM && !isRoot) {
                    logger.debug("xattr not supported here", metadata: ["path": "\(shown)", "xattr": "\(key)"])
                    continue
                }
                throw ImageError.system(operation: "setxattr \(key)", path: shown, errno: errno)
            }
        }
    }

    static func times(of entry: OpaquePointer) -> [timespec] {
        let mtime = timespec(tv_sec: archive_entry_mtime(entry), tv_nsec: archive_entry_mtime_nsec(entry))
        let atime = archive_entry_atime_is_set(entry) != 0
            ? timespec(tv_sec: archive_entry_atime(entry), tv_nsec: archive_entry_atime_nsec(entry)) : mtime
        return [atime, mtime]
    }
}
