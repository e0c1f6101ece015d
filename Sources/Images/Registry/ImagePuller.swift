import Foundation
import Logging

/// What a pull reports as it goes, for per-layer progress.
public enum PullEvent: Sendable, Equatable {
    /// The manifest for this platform is known: its digest and its layers.
    case resolved(manifest: Digest, layers: [ContentDescriptor])
    /// A layer blob already in the store (never fetched again).
    case layerExists(Digest)
    /// Bytes of a layer received so far (at the start, then about every tenth).
    case layerDownloading(Digest, received: Int64, total: Int64)
    /// A layer verified against its digest and stored.
    case layerDownloaded(Digest)
    /// A layer unpacked (or found unpacked) in the store.
    case layerUnpacked(Digest)
    /// Another caller is pulling the same reference; this one waits for its result.
    case waitingForSharedPull
}

/// The result of a pull: the name stored and what it points at.
public struct PulledImage: Sendable, Hashable {
    public var reference: ImageReference
    /// The descriptor the name points at (an index for multi-platform images).
    public var target: ContentDescriptor
    public var manifestDigest: Digest
    /// Layer blobs this pull fetched (the others were in the store).
    public var fetchedLayers: Int
    public var fetchedBytes: Int64
    /// Whether this caller joined another caller's pull instead of pulling.
    public var shared: Bool
}

/// Pulls images from registries into an `ImageStore` and names them: the manifest for
/// this platform, its config and its layers (fetched concurrently, each verified against
/// its digest, skipped when already stored), each layer unpacked as it arrives. Pulls of
/// one reference are shared, within the process (waiters get the first caller's result)
/// and across processes (a file lock per reference).
public final class ImagePuller: @unchecked Sendable {
    public let store: ImageStore
    public let client: RegistryClient
    let logger: Logger
    private let condition = NSCondition()
    private var inFlight: [String: Flight] = [:]

    private final class Flight {
        var result: Result<PulledImage, Error>?
    }

    public init(store: ImageStore, client: RegistryClient) {
        self.store = store
        self.client = client
        self.logger = store.logger
    }

    public convenience init(store: ImageStore, options: RegistryOptions) {
        self.init(store: store, client: RegistryClient(options: options, logger: store.logger))
    }

    /// Pulls `reference` (`127.0.0.1:5000/app:1`, `busybox`, `x@sha256:…`) and tags it in
    /// the store. Blocks until done; `progress` is called from worker threads.
    @discardableResult
    public func pull(reference: String, progress: (@Sendable (PullEvent) -> Void)? = nil) throws -> PulledImage {
        let normalized = try ImageReference.normalize(reference)
        let key = normalized.description
        condition.lock()
        if let flight = inFlight[key] {
            progress?(.waitingForSharedPull)
            while flight.result == nil { condition.wait() }
            condition.unlock()
            var image = try flight.result!.get()
            image.shared = true
            image.fetchedLayers = 0
            image.fetchedBytes = 0
            return image
        }
        let flight = Flight()
        inFlight[key] = flight
        condition.unlock()
        let result = Result { try pullOnce(normalized, progress: progress ?? { _ in }) }
        condition.lock()
        flight.result = result
        inFlight[key] = nil
        condition.broadcast()
        condition.unlock()
        return try result.get()
    }

    private func pullOnce(_ reference: ImageReference, progress: @escaping @Sendable (PullEvent) -> Void) throws -> PulledImage {
        let lockName = Digest.sha256(Data(reference.description.utf8)).hex
        return try FileLock.with(store.directory + "/gc.lock", .shared) {
            try FileLock.with("\(store.locksDirectory)/pull-\(lockName).lock", .exclusive) {
                try fetch(reference, progress: progress)
            }
        }
    }

    private func fetch(_ reference: ImageReference, progress: @escaping @Sendable (PullEvent) -> Void) throws -> PulledImage {
        logger.info("pulling image", metadata: ["image": "\(reference)"])
        let top = try client.manifest(reference, reference: reference.digest?.description ?? reference.tag ?? ImageReference.defaultTag)
        let target = try store.writeBlob(top.data, mediaType: top.mediaType, expected: top.digest)
        var current = top
        if MediaType.isIndex(top.mediaType) {
            let index = try OCIIndex.decode(top.data, file: "index \(top.digest) of \(reference)")
            guard let chosen = index.manifest(for: store.platform) else {
                let offered = index.manifests.compactMap { $0.platform.map { "\($0.os)/\($0.architecture)" } }
                throw RegistryError.unsupported(
                    what: "index \(top.digest) of \(reference)",
                    reason: "no manifest for platform \(store.platform.os)/\(store.platform.architecture) (has \(offered.joined(separator: ", ")))")
            }
            current = try client.manifest(reference, reference: chosen.digest.description)
            guard MediaType.isManifest(current.mediaType) else {
                throw RegistryError.unsupported(what: "manifest \(chosen.digest) of \(reference)", reason: "nested index \(current.mediaType)")
            }
            try store.writeBlob(current.data, mediaType: current.mediaType, expected: chosen.digest)
        }
        let manifest = try OCIManifest.decode(current.data, file: "manifest \(current.digest) of \(reference)")
        progress(.resolved(manifest: current.digest, layers: manifest.layers))

        if !store.hasBlob(manifest.config.digest) {
            let writer = try store.blobWriter(expected: manifest.config.digest, size: manifest.config.size)
            try client.blob(reference, manifest.config, into: writer)
            try writer.commit()
        }
        let config = try ImageConfig.decode(try store.readBlob(manifest.config.digest), file: "config \(manifest.config.digest) of \(reference)")
        guard config.rootfs.diffIDs.count == manifest.layers.count else {
            throw ImageError.invalidContent(
                file: "config \(manifest.config.digest)",
                reason: "rootfs.diff_ids has \(config.rootfs.diffIDs.count) entries, the manifest \(manifest.layers.count) layers")
        }

        let counters = Counters()
        let layers = Array(zip(manifest.layers, config.rootfs.diffIDs))
        try concurrently(layers.count, width: client.options.maxConcurrentDownloads) { i in
            let (layer, diffID) = layers[i]
            if self.store.hasBlob(layer.digest) {
                progress(.layerExists(layer.digest))
                try self.store.unpackLayer(blob: layer, diffID: diffID)
            } else {
                // Unpacked while it downloads; kept only once both digests verify.
                try self.store.fetchLayer(blob: layer, diffID: diffID) { writer in
                    try self.download(reference, layer, into: writer, progress: progress)
                }
                counters.add(layer.size)
            }
            progress(.layerUnpacked(layer.digest))
        }
        try store.tag(reference, target: target)
        logger.info("image pulled", metadata: ["image": "\(reference)", "digest": "\(target.digest)",
                                               "fetchedLayers": "\(counters.layers)", "fetchedBytes": "\(counters.bytes)"])
        return PulledImage(reference: reference, target: target, manifestDigest: current.digest,
                           fetchedLayers: counters.layers, fetchedBytes: counters.bytes, shared: false)
    }

    /// Streams a layer blob into `writer` and commits it (verifying its digest).
    private func download(_ reference: ImageReference, _ layer: ContentDescriptor, into writer: BlobWriter,
                          progress: @escaping @Sendable (PullEvent) -> Void) throws {
        guard MediaType.isLayer(layer.mediaType) else {
            throw RegistryError.unsupported(what: "layer \(layer.digest) of \(reference)", reason: "media type \"\(layer.mediaType)\" is not a layer")
        }
        let step = max(layer.size / 10, 1 << 20)
        var next: Int64 = step
        progress(.layerDownloading(layer.digest, received: 0, total: layer.size))
        try client.blob(reference, layer, into: writer) { received in
            if received >= next && received < layer.size {
                next = received + step
                progress(.layerDownloading(layer.digest, received: received, total: layer.size))
            }
        }
        try writer.commit()
        progress(.layerDownloaded(layer.digest))
    }

    private final class Counters: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var layers = 0
        private(set) var bytes: Int64 = 0
        func add(_ size: Int64) {
            lock.lock()
            layers += 1
            bytes += size
            lock.unlock()
        }
    }
}
