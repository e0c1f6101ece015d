import Foundation

/// The store on disk: one JSON file per object, `<dir>/<resource>/<namespace>/<name>.json`
/// (cluster-scoped: `<dir>/<resource>/<name>.json`), each written to a temp file, fsynced,
/// renamed into place and its directory fsynced, so a write returns only once it survives a
/// crash; and `<dir>/revision`, the resourceVersion ceiling (reserved in blocks, so a restart
/// never hands out a version already seen).
struct StoreFiles {
    let directory: String

    static let revisionFile = "revision"

    func path(_ key: StoreKey) -> String {
        var path = directory + "/" + key.resource
        if !key.namespace.isEmpty { path += "/" + key.namespace }
        return path + "/" + key.name + ".json"
    }

    /// Every stored object, with the key its path gives.
    func loadAll() -> [(StoreKey, JSONValue)] {
        var result: [(StoreKey, JSONValue)] = []
        let manager = FileManager.default
        for resource in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where !resource.hasPrefix(".") {
            let base = directory + "/" + resource
            var isDir: ObjCBool = false
            guard manager.fileExists(atPath: base, isDirectory: &isDir), isDir.boolValue else { continue }
            for entry in (try? manager.contentsOfDirectory(atPath: base)) ?? [] where !entry.hasPrefix(".") {
                let entryPath = base + "/" + entry
                if entry.hasSuffix(".json") {
                    if let value = read(entryPath) {
                        result.append((StoreKey(resource: resource, namespace: "", name: String(entry.dropLast(5))), value))
                    }
                    continue
                }
                for file in (try? manager.contentsOfDirectory(atPath: entryPath)) ?? [] where file.hasSuffix(".json") && !file.hasPrefix(".") {
                    if let value = read(entryPath + "/" + file) {
                        result.append((StoreKey(resource: resource, namespace: entry, name: String(file.dropLast(5))), value))
                    }
                }
            }
        }
        return result
    }

    private func read(_ path: String) -> JSONValue? {
        FileManager.default.contents(atPath: path).flatMap(JSONValue.parse)
    }

    func write(_ key: StoreKey, _ value: JSONValue) throws {
        try writeDurably(value.data(), to: path(key))
    }

    func remove(_ key: StoreKey) throws {
        let file = path(key)
        if unlink(file) != 0 && errno != ENOENT {
            throw StoreError.io("remove \(file): \(String(cString: strerror(errno)))")
        }
        try syncDirectory((file as NSString).deletingLastPathComponent)
    }

    func readRevision() -> UInt64 {
        let text = (try? String(contentsOfFile: directory + "/" + Self.revisionFile, encoding: .utf8)) ?? ""
        return UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    func writeRevision(_ revision: UInt64) throws {
        try writeDurably(Data("\(revision)\n".utf8), to: directory + "/" + Self.revisionFile)
    }

    /// Temp file, fsync, rename, fsync of the directory: after a crash the file is either
    /// the old one or the new one, and once this returns, the new one.
    private func writeDurably(_ data: Data, to file: String) throws {
        let dir = (file as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw StoreError.io("create \(dir): \(error.localizedDescription)")
        }
        let temp = dir + "/.tmp-" + (file as NSString).lastPathComponent
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.io("open \(temp): \(String(cString: strerror(errno)))") }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "write \(temp): \(String(cString: strerror(errno)))"
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "fsync \(temp): \(String(cString: strerror(errno)))" }
        close(fd)
        if let failure {
            unlink(temp)
            throw StoreError.io(failure)
        }
        guard rename(temp, file) == 0 else {
            let message = "rename \(temp): \(String(cString: strerror(errno)))"
            unlink(temp)
            throw StoreError.io(message)
        }
        try syncDirectory(dir)
    }

    private func syncDirectory(_ dir: String) throws {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io("open \(dir): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StoreError.io("fsync \(dir): \(String(cString: strerror(errno)))") }
    }
}
