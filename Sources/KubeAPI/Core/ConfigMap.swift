import Foundation

/// Non-secret configuration as key/value pairs (core/v1 `ConfigMap`).
public struct ConfigMap: Codable, Sendable, Hashable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "ConfigMap"
    public var metadata: ObjectMeta
    public var data: [String: String]?
    /// Values that are not UTF-8, base64 in JSON.
    public var binaryData: [String: Data]?
    public var immutable: Bool?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        data: [String: String]? = nil,
        binaryData: [String: Data]? = nil,
        immutable: Bool? = nil
    ) {
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }
}
