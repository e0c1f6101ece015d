import Foundation

/// An OCI image index or Docker manifest list (also an OCI layout's index.json).
public struct OCIIndex: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [ContentDescriptor]
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociIndex, manifests: [ContentDescriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }

    /// Decodes an index, naming `file` when it is not one.
    public static func decode(_ data: Data, file: String) throws -> OCIIndex {
        let index: OCIIndex
        do {
            index = try JSONDecoder().decode(OCIIndex.self, from: data)
        } catch {
            throw ImageError.invalidContent(file: file, reason: "not an OCI image index: \(JSONErrorText.describe(error))")
        }
        guard index.schemaVersion == 2 else {
            throw ImageError.invalidContent(file: file, reason: "schemaVersion \(index.schemaVersion), expected 2")
        }
        return index
    }

    /// The manifest for `platform`: entries without a platform match any.
    public func manifest(for platform: Platform) -> ContentDescriptor? {
        manifests.first { ($0.platform?.runs(on: platform) ?? true) && !MediaType.isIndex($0.mediaType) }
            ?? manifests.first { $0.platform?.runs(on: platform) ?? false }
    }
}

/// Short decoding-error text that names the field (`config.Env[2]: expected String`).
enum JSONErrorText {
    static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.hasPrefix(".") ? String(keys.dropFirst()) : keys
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field \(parent.isEmpty ? "" : parent + ".")\(key.stringValue)"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "\(path(context)): expected \(type)"
        case .dataCorrupted(let context):
            let at = path(context)
            let underlying = (context.underlyingError as NSError?)?.localizedDescription
            return (at.isEmpty ? "" : at + ": ") + (underlying ?? context.debugDescription)
        @unknown default:
            return "\(error)"
        }
    }
}
