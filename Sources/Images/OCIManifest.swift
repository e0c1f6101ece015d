import Foundation

/// An image manifest: OCI `application/vnd.oci.image.manifest.v1+json` or Docker schema2.
public struct OCIManifest: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: ContentDescriptor
    public var layers: [ContentDescriptor]
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociManifest, config: ContentDescriptor, layers: [ContentDescriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }

    /// Decodes a manifest, naming `file` when it is not one or has a layer we cannot unpack.
    public static func decode(_ data: Data, file: String) throws -> OCIManifest {
        let manifest: OCIManifest
        do {
            manifest = try JSONDecoder().decode(OCIManifest.self, from: data)
        } catch {
            throw ImageError.invalidContent(file: file, reason: "not an image manifest: \(JSONErrorText.describe(error))")
        }
        guard manifest.schemaVersion == 2 else {
            throw ImageError.invalidContent(file: file, reason: "schemaVersion \(manifest.schemaVersion), expected 2")
        }
        if let type = manifest.mediaType, !MediaType.isManifest(type) {
            throw ImageError.invalidContent(file: file, reason: "mediaType \(type) is not an image manifest")
        }
        for (i, layer) in manifest.layers.enumerated() where !MediaType.isLayer(layer.mediaType) {
            throw ImageError.invalidContent(file: file, reason: "layers[\(i)].mediaType \(layer.mediaType) is not a layer type")
        }
        return manifest
    }
}
