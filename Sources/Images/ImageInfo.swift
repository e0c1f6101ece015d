/// An image resolved from the store: its manifest, config, and unpacked layer directories
/// in manifest order (the base layer first).
public struct ImageInfo: Sendable, Hashable {
    /// The normalized reference it was resolved from.
    public var reference: ImageReference
    /// The digest the reference points at (a manifest, or an index for multi-platform images).
    public var digest: Digest
    public var manifestDigest: Digest
    public var manifest: OCIManifest
    public var configDigest: Digest
    public var config: ImageConfig
    public var layers: [Layer]

    /// One layer: its blob, its diff ID (the uncompressed tar's digest) and where it is unpacked.
    public struct Layer: Sendable, Hashable {
        public var blob: ContentDescriptor
        public var diffID: Digest
        public var directory: String
    }

    /// Unpacked layer directories, base layer first.
    public var layerDirectories: [String] { layers.map(\.directory) }
}

/// One line of `images list`.
public struct ImageSummary: Sendable, Hashable {
    public var reference: String
    public var digest: Digest
    public var mediaType: String
    /// Sum of the manifest, config and layer blob sizes (compressed, as registries report).
    public var size: Int64
    public var created: String?
}

/// What `prune` removed.
public struct PruneReport: Sendable, Hashable {
    public var blobs: [Digest] = []
    public var layers: [Digest] = []
    public var reclaimedBytes: Int64 = 0

    public init() {}
}
