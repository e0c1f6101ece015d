import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The bytes of a blob still being written, read back as they land: a `BlobWriter` (the
/// download) announces each write, and a reader on another thread (the layer unpacker)
/// blocks until bytes past its offset exist, the writer finishes, or the writer fails.
/// The bytes come back through the page cache, so the download never waits for the reader.
final class BlobFeed: @unchecked Sendable {
    private let condition = NSCondition()
    private let fd: Int32
    let path: String
    private var written: Int64 = 0
    private var finished = false
    private var failure: String?
    private var offset: Int64 = 0

    /// Opens its own descriptor on the writer's file, so reads never move the writer's offset.
    init(path: String) throws {
        self.path = path
        fd = try ImageError.check("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
    }

    deinit { close(fd) }

    /// The writer has written `count` bytes in all.
    func advance(to count: Int64) {
        condition.lock()
        written = count
        condition.signal()
        condition.unlock()
    }

    /// Every byte is written and verified: the reader sees the end after the last one.
    func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    /// The blob will not be complete (a transfer error, a digest mismatch): the reader
    /// stops with `reason` at its next read. No effect after `finish`.
    func fail(_ reason: String) {
        condition.lock()
        if failure == nil && !finished { failure = reason }
        condition.signal()
        condition.unlock()
    }

    /// Reads up to `capacity` bytes at the reader's offset, waiting for the writer; 0 at the end.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        condition.lock()
        while written == offset && !finished && failure == nil { condition.wait() }
        let available = written - offset
        let failure = failure
        condition.unlock()
        if let failure { throw ImageError.invalidContent(file: path, reason: failure) }
        if available == 0 { return 0 }
        let n = try ImageError.check("read", path) { pread(fd, buffer, min(capacity, Int(available)), off_t(offset)) }
        offset += Int64(n)
        return n
    }
}
