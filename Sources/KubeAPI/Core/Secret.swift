import Foundation

/// Sensitive key/value data (core/v1 `Secret`). `data` is base64 in JSON; `stringData` is
/// write-only plain text that the decoder folds into `data`, as the API server does.
public struct Secret: Codable, Sendable, Hashable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Secret"
    public var metadata: ObjectMeta
    public var data: [String: Data]?
    public var stringData: [String: String]?
    public var type: String?
    public var immutable: Bool?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        data: [String: Data]? = nil,
        stringData: [String: String]? = nil,
        type: String? = nil,
        immutable: Bool? = nil
    ) {
        self.metadata = metadata
        self.data = data
        self.stringData = stringData
        self.type = type
        self.immutable = immutable
    }

    /// The Secret type upstream defaults to.
    public static let opaqueType = "Opaque"
}
