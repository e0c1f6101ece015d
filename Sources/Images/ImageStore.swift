import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The local image content store under `<root>/images`: blobs by digest (verified on
/// write), names in `refs.json`, and layers unpacked once under `layers/sha256/<diffID>`
/// and shared by every image and container that uses them. Safe to use from several
/// threads and processes at once (the agent and the CLI): names change under `refs.lock`,
/// each layer is unpacked under its own lock, and `prune` excludes writers via `gc.lock`.
public final class ImageStore: Sendable {
    /// `<root>/images`.
    public let directory: String
    public let logger: Logger
    /// The platform picked from multi-platform indexes.
    public let platform: Platform

    var blobsDirectory: String { directory + "/blobs/sha256" }
    var layersDirectory: String { directory + "/layers/sha256" }
    var locksDirectory: String { directory + "/locks" }
    var temporaryDirectory: String { directory + "/tmp" }
    var refsPath: String { directory + "/refs.json" }

    /// Opens (creating if needed) the store in `<root>/images`.
    public init(root: String, platform: Platform = .host, logger: Logger = Logger(label: "swiftlet.images")) throws {
        directory = root + "/images"
        self.logger = logger
        self.platform = platform
        for dir in [blobsDirectory, layersDirectory, locksDirectory, temporaryDirectory] {
            try ImageStore.makeDirectories(dir)
        }
    }

    /// mkdir -p, failing with the errno and the component that could not be made.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, mode) != 0 && errno != EEXIST {
                throw ImageError.system(operation: "mkdir", path: prefix, errno: errno)
            }
        }
        var st = stat()
        if stat(path, &st) != 0 { throw ImageError.system(operation: "stat", path: path, errno: errno) }
        if (st.st_mode & S_IFMT) != S_IFDIR { throw ImageError.system(operation: "mkdir", path: path, errno: ENOTDIR) }
    }

    // MARK: blobs

    public func blobPath(_ digest: Digest) -> String { "\(blobsDirectory)/\(digest.hex)" }

    public func hasBlob(_ digest: Digest) -> Bool {
        access(blobPath(digest), F_OK) == 0
    }

    /// A writer that streams a blob in and verifies it on `commit`.
    public func blobWriter(expected: Digest?, size: Int64? = nil) throws -> BlobWriter {
        try BlobWriter(blobsDirectory: blobsDirectory, temporaryDirectory: temporaryDirectory, expected: expected, expectedSize: size)
    }

    /// Stores bytes in memory (a manifest, a config) and returns their descriptor.
    @discardableResult
    public func writeBlob(_ data: Data, mediaType: String, expected: Digest? = nil) throws -> ContentDescriptor {
        let digest = Digest.sha256(data)
        if let expected, expected != digest {
            throw ImageError.digestMismatch(expected: expected.description, actual: digest.description)
        }
        if !hasBlob(digest) {
            let writer = try blobWriter(expected: digest, size: Int64(data.count))
            try writer.write(data)
            try writer.commit()
        }
        return ContentDescriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
    }

    /// Copies a file into the store, hashing it; skips the copy when `expected` is already there.
    @discardableResult
    func ingest(fd: Int32, shown: String, expected: Digest?, size: Int64?) throws -> (Digest, Int64) {
        if let expected, hasBlob(expected) {
            var st = stat()
            if stat(blobPath(expected), &st) == 0, size == nil || Int64(st.st_size) == size {
                return (expected, Int64(st.st_size))
            }
        }
        let writer = try blobWriter(expected: expected, size: size)
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try ImageError.check("read", shown) { read(fd, buffer, chunk) }
            if n == 0 { break }
            try writer.write(UnsafeRawBufferPointer(start: buffer, count: n))
        }
        let digest = try writer.commit()
        return (digest, writer.written)
    }

    /// Reads a blob and checks it against its digest (a blob altered on disk is refused).
    public func readBlob(_ digest: Digest, limit: Int = 16 << 20) throws -> Data {
        let path = blobPath(digest)
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImageError.missingBlob(digest.description) }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: limit + 1) ?? Data()
        guard data.count <= limit else {
            throw ImageError.invalidContent(file: path, reason: "larger than \(limit) bytes")
        }
        try digest.verify(data)
        return data
    }

    // MARK: names

    /// Points `reference` (normalized) at `target`, replacing what it named before.
    public func tag(_ reference: ImageReference, target: ContentDescriptor) throws {
        let name = reference.normalized.description
        try FileLock.with(directory + "/refs.lock", .exclusive) {
            var refs = try ImageRefs.load(refsPath)
            refs.images[name] = ImageRefs.Entry(target: target, updated: ImageRefs.now())
            try refs.save(refsPath)
        }
        logger.info("image tagged", metadata: ["image": "\(name)", "digest": "\(target.digest)"])
    }

    /// The descriptor a name points at, or nil.
    public func target(of reference: String) throws -> ContentDescriptor? {
        let name = try ImageReference.normalize(reference).description
        return try ImageRefs.load(refsPath).images[name]?.target
    }

    /// Whether the store has an image of that name (imagePullPolicy IfNotPresent/Never).
    public func contains(_ reference: String) throws -> Bool {
        try target(of: reference) != nil
    }

    /// Every named image, sorted by name.
    public func list() throws -> [ImageSummary] {
        let refs = try ImageRefs.load(refsPath)
        return refs.images.keys.sorted().map { name in
            let entry = refs.images[name]!
            var summary = ImageSummary(reference: name, digest: entry.target.digest, mediaType: entry.target.mediaType,
                                       size: entry.target.size, created: nil)
            if let (manifest, _) = try? manifest(for: entry.target) {
                summary.size += manifest.config.size + manifest.layers.reduce(0) { $0 + $1.size }
                if let data = try? readBlob(manifest.config.digest),
                   let config = try? ImageConfig.decode(data, file: manifest.config.digest.description) {
                    summary.created = config.created
                }
            }
            return summary
        }
    }

    /// Removes a name (its content goes at the next `prune`). Throws `notFound` if absent.
    public func remove(_ reference: String) throws {
        let name = try ImageReference.normalize(reference).description
        try FileLock.with(directory + "/refs.lock", .exclusive) {
            var refs = try ImageRefs.load(refsPath)
            guard refs.images.removeValue(forKey: name) != nil else { throw ImageError.notFound(name) }
            try refs.save(refsPath)
        }
        logger.info("image removed", metadata: ["image": "\(name)"])
    }

    // MARK: resolve

    /// The image manifest a target names: itself, or the host platform's entry of an index.
    func manifest(for target: ContentDescriptor) throws -> (OCIManifest, Digest) {
        var descriptor = target
        for _ in 0..<4 {
            let data = try readBlob(descriptor.digest)
            if MediaType.isIndex(descriptor.mediaType) {
                let index = try OCIIndex.decode(data, file: "index \(descriptor.digest)")
                guard let chosen = index.manifest(for: platform) else {
                    throw ImageError.invalidContent(file: "index \(descriptor.digest)",
                                                    reason: "no manifest for platform \(platform.os)/\(platform.architecture)")
                }
                descriptor = chosen
                continue
            }
            return (try OCIManifest.decode(data, file: "manifest \(descriptor.digest)"), descriptor.digest)
        }
        throw ImageError.invalidContent(file: "index \(target.digest)", reason: "indexes nested too deeply")
    }

    /// Resolves a name to its manifest, config and unpacked layers, unpacking any layer not
    /// unpacked yet (once, even when several callers ask at the same time).
    public func resolve(_ reference: String) throws -> ImageInfo {
        let normalized = try ImageReference.normalize(reference)
        guard let target = try ImageRefs.load(refsPath).images[normalized.description]?.target else {
            throw ImageError.notFound(normalized.description)
        }
        return try FileLock.with(directory + "/gc.lock", .shared) {
            try resolve(normalized, target: target)
        }
    }

    func resolve(_ reference: ImageReference, target: ContentDescriptor) throws -> ImageInfo {
        let (manifest, manifestDigest) = try manifest(for: target)
        let configData = try readBlob(manifest.config.digest)
        let config = try ImageConfig.decode(configData, file: "config \(manifest.config.digest)")
        guard config.rootfs.diffIDs.count == manifest.layers.count else {
            throw ImageError.invalidContent(
                file: "config \(manifest.config.digest)",
                reason: "rootfs.diff_ids has \(config.rootfs.diffIDs.count) entries, the manifest \(manifest.layers.count) layers")
        }
        var layers: [ImageInfo.Layer] = []
        for (blob, diffID) in zip(manifest.layers, config.rootfs.diffIDs) {
            let directory = try unpackLayer(blob: blob, diffID: diffID).directory
            layers.append(ImageInfo.Layer(blob: blob, diffID: diffID, directory: directory))
        }
        return ImageInfo(reference: reference, digest: target.digest, manifestDigest: manifestDigest, manifest: manifest,
                         configDigest: manifest.config.digest, config: config, layers: layers)
    }

    // MARK: layers

    /// Where the layer with this diff ID is (or will be) unpacked.
    public func layerDirectory(diffID: Digest) -> String { "\(layersDirectory)/\(diffID.hex)" }

    /// Unpacks a layer blob unless it already is; `unpacked` tells whether this call did it.
    /// The result must hash to `diffID`, or nothing is kept.
    @discardableResult
    public func unpackLayer(blob: ContentDescriptor, diffID: Digest) throws -> (directory: String, unpacked: Bool) {
        let final = layerDirectory(diffID: diffID)
        if access(final, F_OK) == 0 { return (final, false) }
        guard hasBlob(blob.digest) else { throw ImageError.missingBlob(blob.digest.description) }
        let unpacked = try stageLayer(blob: blob, diffID: diffID) { staging in
            try LayerUnpacker(logger: logger).unpack(blob: blobPath(blob.digest), into: staging, label: diffID.description)
        }
        return (final, unpacked)
    }

    /// Fetches a layer blob and unpacks it in the same pass: `fetch` writes the blob into the
    /// writer it is given (and may commit it; it is committed after otherwise), while another thread unpacks the bytes as they
    /// land. The blob is kept only if its digest verifies, the layer only if the blob and
    /// its diff ID both verify; a layer unpacked already is not unpacked again.
    @discardableResult
    public func fetchLayer(blob: ContentDescriptor, diffID: Digest, fetch: @escaping (BlobWriter) throws -> Void) throws
        -> (directory: String, unpacked: Bool) {
        let final = layerDirectory(diffID: diffID)
        var unpacked = false
        if access(final, F_OK) != 0 {
            unpacked = try stageLayer(blob: blob, diffID: diffID) { staging in
                let writer = try self.blobWriter(expected: blob.digest, size: blob.size)
                let feed = try writer.makeFeed()
                let result = UnpackResult()
                try concurrently(2, width: 2) { job in
                    if job == 0 {
                        do {
                            try fetch(writer)
                            if !writer.isCommitted { try writer.commit() }
                        } catch {
                            writer.discard()
                            feed.fail("\(error)")
                            throw error
                        }
                    } else {
                        result.value = Result {
                            try LayerUnpacker(logger: self.logger).unpack(feed: feed, into: staging, label: diffID.description)
                        }
                    }
                }
                return try result.value.get()
            }
        }
        if !hasBlob(blob.digest) {
            // Unpacked already (by another image with the same layer): only the blob is missing.
            let writer = try blobWriter(expected: blob.digest, size: blob.size)
            try fetch(writer)
            if !writer.isCommitted { try writer.commit() }
        }
        return (final, unpacked)
    }

    private final class UnpackResult: @unchecked Sendable {
        var value: Result<Digest, Error> = .failure(ImageError.invalidContent(file: "layer", reason: "not unpacked"))
    }

    /// Unpacks into a staging dir under the layer's lock with `unpack`, which returns the
    /// diff ID it read, and renames the result into place if it is `diffID`. False when the
    /// layer was unpacked meanwhile (by another process), without calling `unpack`.
    private func stageLayer(blob: ContentDescriptor, diffID: Digest, _ unpack: (String) throws -> Digest) throws -> Bool {
        let final = layerDirectory(diffID: diffID)
        return try FileLock.with("\(locksDirectory)/\(diffID.hex).lock", .exclusive) {
            if access(final, F_OK) == 0 { return false }
            var template = Array("\(temporaryDirectory)/layer-XXXXXX".utf8CString)
            guard mkdtemp(&template) != nil else {
                throw ImageError.system(operation: "mkdtemp", path: temporaryDirectory, errno: errno)
            }
            let staging = String(cString: template)
            do {
                try ImageError.check("chmod", staging) { chmod(staging, 0o755) }
                let actual = try unpack(staging)
                guard actual == diffID else {
                    throw ImageError.digestMismatch(expected: diffID.description, actual: actual.description)
                }
                try ImageError.check("rename", final) { rename(staging, final) }
            } catch {
                try? removeTree(staging)
                throw error
            }
            logger.info("layer unpacked", metadata: ["diffID": "\(diffID)", "blob": "\(blob.digest)"])
            return true
        }
    }

    // MARK: garbage collection

    /// Removes blobs and unpacked layers no name reaches, and leftovers of interrupted
    /// writes. `keepingLayers` are diff IDs still mounted by containers whose image name was removed.
    @discardableResult
    public func prune(keepingLayers: Set<Digest> = []) throws -> PruneReport {
        try FileLock.with(directory + "/gc.lock", .exclusive) {
            let refs = try ImageRefs.load(refsPath)
            var blobs = Set<Digest>()
            var layers = keepingLayers
            for entry in refs.images.values {
                blobs.insert(entry.target.digest)
                if MediaType.isIndex(entry.target.mediaType), let data = try? readBlob(entry.target.digest),
                   let index = try? OCIIndex.decode(data, file: "") {
                    blobs.formUnion(index.manifests.map(\.digest))
                }
                guard let (manifest, manifestDigest) = try? manifest(for: entry.target) else { continue }
                blobs.insert(manifestDigest)
                blobs.insert(manifest.config.digest)
                blobs.formUnion(manifest.layers.map(\.digest))
                if let data = try? readBlob(manifest.config.digest),
                   let config = try? ImageConfig.decode(data, file: "") {
                    layers.formUnion(config.rootfs.diffIDs)
                }
            }
            var report = PruneReport()
            for name in (try? FileManager.default.contentsOfDirectory(atPath: blobsDirectory)) ?? [] {
                let digest = Digest(sha256Hex: name)
                guard !blobs.contains(digest) else { continue }
                var st = stat()
                if stat(blobPath(digest), &st) == 0 { report.reclaimedBytes += Int64(st.st_size) }
                try ImageError.check("unlink", blobPath(digest)) { unlink(blobPath(digest)) }
                report.blobs.append(digest)
            }
            for name in (try? FileManager.default.contentsOfDirectory(atPath: layersDirectory)) ?? [] {
                let digest = Digest(sha256Hex: name)
                guard !layers.contains(digest) else { continue }
                try removeTree(layerDirectory(diffID: digest))
                unlink("\(locksDirectory)/\(name).lock")
                report.layers.append(digest)
            }
            for name in (try? FileManager.default.contentsOfDirectory(atPath: temporaryDirectory)) ?? [] {
                try removeTree("\(temporaryDirectory)/\(name)")
            }
            report.blobs.sort()
            report.layers.sort()
            logger.info("images pruned", metadata: ["blobs": "\(report.blobs.count)", "layers": "\(report.layers.count)"])
            return report
        }
    }

    func removeTree(_ path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let fd = try ImageError.check("open", parent) { open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try LayerWriter.removeTree(fd, name, shown: path)
    }
}
