import CArchive
import Foundation

/// Reads a tar stream (plain, gzip, zstd, xz… detected from the bytes) with libarchive,
/// hashing the decompressed tar as it goes so a layer's diff ID is checked in the same pass.
///
/// Two libarchive readers are chained: the outer one only decompresses (`raw` format), the
/// inner one parses tar from the outer one's output through a read callback.
final class TarReader {
    let path: String
    private let outer: OpaquePointer
    private let inner: OpaquePointer
    private let buffer: UnsafeMutableRawPointer
    private let bufferSize = 1 << 20
    private var hasher: SHA256Hasher? = SHA256Hasher()
    private var outerError: String?
    private var finished = false
    private var entriesDone = false

    /// Where the compressed bytes come from when they are not a finished file.
    private let feed: BlobFeed?
    private let input: UnsafeMutableRawPointer?

    /// Reads a finished file.
    convenience init(path: String) throws {
        try self.init(path: path, feed: nil)
    }

    /// Reads a blob while it is being written (see `BlobFeed`).
    convenience init(feed: BlobFeed) throws {
        try self.init(path: feed.path, feed: feed)
    }

    private init(path: String, feed: BlobFeed?) throws {
        self.path = path
        self.feed = feed
        outer = archive_read_new()
        inner = archive_read_new()
        buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 16)
        input = feed == nil ? nil : UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 16)
        archive_read_support_filter_all(outer)
        archive_read_support_format_raw(outer)
        archive_read_support_format_empty(outer)
        let opened: Int32
        if feed != nil {
            opened = archive_read_open(outer, Unmanaged.passUnretained(self).toOpaque(), nil, { _, context, out in
                let reader = Unmanaged<TarReader>.fromOpaque(context!).takeUnretainedValue()
                return reader.receive(out!)
            }, nil)
        } else {
            opened = archive_read_open_filename(outer, path, 1 << 20)
        }
        if opened != ARCHIVE_OK {
            throw ImageError.invalidContent(file: path, reason: outerError ?? TarReader.errorText(outer))
        }
        var entry: OpaquePointer?
        let status = archive_read_next_header(outer, &entry)
        if status == ARCHIVE_EOF {
            finished = true
        } else if status < ARCHIVE_WARN {
            throw ImageError.invalidContent(file: path, reason: outerError ?? TarReader.errorText(outer))
        }
        archive_read_support_format_tar(inner)
        archive_read_support_format_gnutar(inner)
        let innerOpened = archive_read_open(inner, Unmanaged.passUnretained(self).toOpaque(), nil, { _, context, out in
            let reader = Unmanaged<TarReader>.fromOpaque(context!).takeUnretainedValue()
            return reader.fill(out!)
        }, nil)
        if innerOpened != ARCHIVE_OK {
            throw ImageError.invalidContent(file: path, reason: outerError ?? TarReader.errorText(inner))
        }
    }

    deinit {
        archive_read_free(inner)
        archive_read_free(outer)
        buffer.deallocate()
        input?.deallocate()
    }

    /// The outer reader's input from the feed: compressed bytes as the download writes them.
    private func receive(_ out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        guard let feed, let input else { return -1 }
        do {
            let n = try feed.read(into: input, capacity: bufferSize)
            out.pointee = UnsafeRawPointer(input)
            return n
        } catch {
            if outerError == nil { outerError = "\(error)" }
            return -1
        }
    }

    private func fill(_ out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        if finished { return 0 }
        let n = archive_read_data(outer, buffer, bufferSize)
        if n < 0 {
            if outerError == nil { outerError = TarReader.errorText(outer) }
            return -1
        }
        if n == 0 { finished = true }
        hasher?.update(UnsafeRawBufferPointer(start: buffer, count: n))
        out.pointee = UnsafeRawPointer(buffer)
        return n
    }

    /// The next entry, or nil at the end of the archive.
    func next() throws -> OpaquePointer? {
        if entriesDone { return nil }
        var entry: OpaquePointer?
        let status = archive_read_next_header(inner, &entry)
        if status == ARCHIVE_EOF {
            entriesDone = true
            return nil
        }
        if status < ARCHIVE_WARN {
            throw ImageError.invalidContent(file: path, reason: outerError ?? TarReader.errorText(inner))
        }
        return entry
    }

    /// Calls `body` with each data block of the current entry and its offset (sparse files
    /// have holes between blocks).
    func readData(_ body: (UnsafeRawBufferPointer, Int64) throws -> Void) throws {
        var block: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        while true {
            let status = archive_read_data_block(inner, &block, &size, &offset)
            if status == ARCHIVE_EOF { return }
            if status < ARCHIVE_WARN {
                throw ImageError.invalidContent(file: path, reason: outerError ?? TarReader.errorText(inner))
            }
            try body(UnsafeRawBufferPointer(start: block, count: size), offset)
        }
    }

    /// Reads the rest of the decompressed stream (tar padding) and returns its SHA-256:
    /// the layer's diff ID.
    func finishDigest() throws -> Digest {
        while try next() != nil {}
        while !finished {
            let n = archive_read_data(outer, buffer, bufferSize)
            if n < 0 { throw ImageError.invalidContent(file: path, reason: outerError ?? TarReader.errorText(outer)) }
            if n == 0 { break }
            hasher?.update(UnsafeRawBufferPointer(start: buffer, count: n))
        }
        finished = true
        guard let done = hasher.take() else { preconditionFailure("diff ID taken twice") }
        return done.finalize()
    }

    static func errorText(_ archive: OpaquePointer) -> String {
        if let text = archive_error_string(archive) { return String(cString: text) }
        return "unreadable archive"
    }
}
