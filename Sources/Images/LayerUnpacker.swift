import Foundation
import Logging

/// Unpacks one layer blob (a tar, plain or gzip/zstd/xz-compressed) into a directory laid out
/// for overlayfs, and returns the digest of the uncompressed tar (the layer's diff ID).
public struct LayerUnpacker: Sendable {
    public var logger: Logger

    public init(logger: Logger = Logger(label: "swiftlet.images")) {
        self.logger = logger
    }

    /// Unpacks `blob` into the existing, empty `directory`; `label` names the layer in errors.
    /// Throws on the first entry that would land outside `directory`.
    @discardableResult
    public func unpack(blob: String, into directory: String, label: String) throws -> Digest {
        try unpack(try TarReader(path: blob), into: directory, label: label)
    }

    /// Unpacks a blob while it downloads; the caller renames `directory` into place only
    /// once the blob's digest and the returned diff ID are verified.
    func unpack(feed: BlobFeed, into directory: String, label: String) throws -> Digest {
        try unpack(try TarReader(feed: feed), into: directory, label: label)
    }

    private func unpack(_ reader: TarReader, into directory: String, label: String) throws -> Digest {
        let root = try BeneathDirectory(path: directory)
        let writer = LayerWriter(root: root, label: label, options: .init(), logger: logger)
        try writer.writeAll(from: reader)
        return try reader.finishDigest()
    }

    /// Extracts an archive of plain files and directories (an image layout or docker-archive
    /// tar): no ownership, no whiteout conversion, no device nodes.
    func extractFiles(archive: String, into directory: String) throws {
        let reader = try TarReader(path: archive)
        let root = try BeneathDirectory(path: directory)
        let options = LayerWriter.Options(overlayWhiteouts: false, preserveOwnership: false, specialFiles: false)
        let writer = LayerWriter(root: root, label: archive, options: options, logger: logger)
        try writer.writeAll(from: reader)
    }
}
