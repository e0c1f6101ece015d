import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The store's name index: normalized reference → the descriptor it points at, kept in
/// `refs.json` and replaced atomically (write, fsync, rename) under `refs.lock`.
struct ImageRefs: Codable, Equatable {
    struct Entry: Codable, Equatable {
        var target: ContentDescriptor
        /// When the name was last set (RFC 3339).
        var updated: String
    }

    var images: [String: Entry] = [:]

    static func load(_ path: String) throws -> ImageRefs {
        guard let data = FileManager.default.contents(atPath: path) else { return ImageRefs() }
        do {
            return try JSONDecoder().decode(ImageRefs.self, from: data)
        } catch {
            throw ImageError.invalidContent(file: path, reason: JSONErrorText.describe(error))
        }
    }

    func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        let temporary = path + ".tmp"
        let fd = try ImageError.check("create", temporary) { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        defer { close(fd) }
        try data.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                done += try ImageError.check("write", temporary) { write(fd, buffer.baseAddress! + done, buffer.count - done) }
            }
        }
        try ImageError.check("fsync", temporary) { fsync(fd) }
        try ImageError.check("rename", path) { rename(temporary, path) }
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date())
    }
}
