import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Streams one blob into the store: bytes go to a temporary file while being hashed, and
/// `commit` moves it to `blobs/sha256/<hex>` only if its digest (and size, when known) is
/// the expected one. A registry pull writes each layer through one of these.
public final class BlobWriter {
    public let expected: Digest?
    public let expectedSize: Int64?
    private let blobsDirectory: String
    private let temporaryPath: String
    private var fd: Int32
    private var hasher: SHA256Hasher? = SHA256Hasher()
    public private(set) var written: Int64 = 0
    /// Whether `commit` was called (successfully or not).
    public private(set) var isCommitted = false
    /// A reader of the bytes as they land (the layer unpacker during a pull), if any.
    private var feed: BlobFeed?

    init(blobsDirectory: String, temporaryDirectory: String, expected: Digest?, expectedSize: Int64?) throws {
        self.blobsDirectory = blobsDirectory
        self.expected = expected
        self.expectedSize = expectedSize
        var template = Array("\(temporaryDirectory)/blob-XXXXXX".utf8CString)
        fd = try ImageError.check("create", temporaryDirectory) { mkstemp(&template) }
        temporaryPath = String(cString: template)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    deinit { discard() }

    /// Drops an unfinished blob now: its temporary file goes and its feed fails. Nothing
    /// after a `commit`. (Also on deinit, which may come later than the failure when another
    /// thread held the writer last.)
    public func discard() {
        guard fd >= 0 else { return }
        feed?.fail("the blob was not completed")
        close(fd)
        fd = -1
        unlink(temporaryPath)
    }

    /// Appends bytes.
    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = try ImageError.check("write", temporaryPath) {
                Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
            }
            done += n
        }
        hasher?.update(buffer)
        written += Int64(buffer.count)
        feed?.advance(to: written)
    }

    /// A reader that follows the writes; it sees the end only after a successful `commit`.
    func makeFeed() throws -> BlobFeed {
        precondition(feed == nil && written == 0, "one feed, before the first write")
        let made = try BlobFeed(path: temporaryPath)
        feed = made
        return made
    }

    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    /// Verifies and stores the blob; returns its digest. Throws `digestMismatch` or
    /// `sizeMismatch` naming the expected digest, and keeps nothing, when the bytes differ.
    @discardableResult
    public func commit() throws -> Digest {
        guard let done = hasher.take() else { preconditionFailure("blob committed twice") }
        isCommitted = true
        let digest = done.finalize()
        defer {
            close(fd)
            fd = -1
        }
        if let expectedSize, expectedSize != written {
            unlink(temporaryPath)
            let error = ImageError.sizeMismatch(digest: expected?.description ?? digest.description, expected: expectedSize, actual: written)
            feed?.fail("\(error)")
            throw error
        }
        if let expected, expected != digest {
            unlink(temporaryPath)
            let error = ImageError.digestMismatch(expected: expected.description, actual: digest.description)
            feed?.fail("\(error)")
            throw error
        }
        fchmod(fd, 0o644)
        let final = "\(blobsDirectory)/\(digest.hex)"
        do {
            try ImageError.check("rename", final) { rename(temporaryPath, final) }
        } catch {
            feed?.fail("\(error)")
            throw error
        }
        feed?.finish()
        return digest
    }
}
