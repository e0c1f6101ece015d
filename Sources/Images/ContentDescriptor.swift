/// An OCI content descriptor: what a blob is, its digest and size.
public struct ContentDescriptor: Codable, Sendable, Hashable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var annotations: [String: String]?
    public var platform: Platform?
    public var urls: [String]?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil, platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }

    /// The tag an OCI layout's index.json gives a manifest.
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"
    /// The full image name containerd and buildkit put on layout manifests.
    public static let imageNameAnnotation = "io.containerd.image.name"
}

/// The platform an index entry is for.
public struct Platform: Codable, Sendable, Hashable {
    public var architecture: String
    public var os: String
    public var variant: String?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
    }

    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }

    /// The platform this binary runs on, in GOARCH words.
    public static var host: Platform {
        #if arch(x86_64)
        return Platform(architecture: "amd64", os: "linux")
        #elseif arch(arm64)
        return Platform(architecture: "arm64", os: "linux", variant: "v8")
        #else
        return Platform(architecture: "unknown", os: "linux")
        #endif
    }

    /// Whether an image built for `self` runs on `host` (arm64's variant is optional).
    public func runs(on host: Platform) -> Bool {
        guard os == host.os, architecture == host.architecture else { return false }
        guard let variant, let hostVariant = host.variant else { return true }
        return variant == hostVariant
    }
}
