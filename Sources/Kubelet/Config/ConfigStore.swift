import Foundation
import KubeAPI

/// The ConfigMaps and Secrets of the desired state, indexed by kind, namespace and name, as
/// the env builder and the config volume projector read them.
public struct ConfigStore: Sendable, Equatable {
    /// One object's keys as raw bytes.
    struct Entry: Sendable, Equatable {
        var bytes: [String: [UInt8]]
    }

    /// The two kinds a store answers for, spelled as in the API.
    public static let configMapKind = "ConfigMap"
    public static let secretKind = "Secret"

    private var configMaps: [String: Entry] = [:]
    private var secrets: [String: Entry] = [:]

    /// Indexes the decoded objects; a missing namespace means `default`. A later object with
    /// the same namespace and name replaces an earlier one.
    public init(configMaps: [ConfigMap] = [], secrets: [Secret] = []) {
        for configMap in configMaps {
            var bytes: [String: [UInt8]] = [:]
            for (key, value) in configMap.binaryData ?? [:] { bytes[key] = [UInt8](value) }
            // Validation forbids a key in both maps; were it there anyway, text wins.
            for (key, value) in configMap.data ?? [:] { bytes[key] = Array(value.utf8) }
            self.configMaps[Self.key(configMap.metadata)] = Entry(bytes: bytes)
        }
        for secret in secrets {
            var bytes: [String: [UInt8]] = [:]
            // `data` arrives base64-decoded from the manifest decoder.
            for (key, value) in secret.data ?? [:] { bytes[key] = [UInt8](value) }
            // The decoder folds stringData into data; a Secret built in code may still carry
            // it, and as on the API server it overrides data.
            for (key, value) in secret.stringData ?? [:] { bytes[key] = Array(value.utf8) }
            self.secrets[Self.key(secret.metadata)] = Entry(bytes: bytes)
        }
    }

    /// Indexes the ConfigMaps and Secrets among decoded manifest objects, ignoring other kinds.
    public init(objects: [KubeObject]) {
        var configMaps: [ConfigMap] = []
        var secrets: [Secret] = []
        for object in objects {
            switch object {
            case .configMap(let configMap): configMaps.append(configMap)
            case .secret(let secret): secrets.append(secret)
            default: continue
            }
        }
        self.init(configMaps: configMaps, secrets: secrets)
    }

    /// An object's keys as raw bytes (what volumes write), or nil when no such object exists
    /// or the kind is neither `ConfigMap` nor `Secret`.
    public func bytes(kind: String, namespace: String, name: String) -> [String: [UInt8]]? {
        let id = namespace + "/" + name
        switch kind {
        case Self.configMapKind: return configMaps[id]?.bytes
        case Self.secretKind: return secrets[id]?.bytes
        default: return nil
        }
    }

    /// An object's keys as text (what env vars receive): Secret values decoded from base64,
    /// ConfigMap binaryData included. Bytes that are not UTF-8 become U+FFFD, as a Go string
    /// conversion would show them. Nil when no such object exists.
    public func data(kind: String, namespace: String, name: String) -> [String: String]? {
        bytes(kind: kind, namespace: namespace, name: name)?.mapValues { String(decoding: $0, as: UTF8.self) }
    }

    /// The env builder's lookup: the same answer as `data(kind:namespace:name:)`.
    public func lookup(kind: String, namespace: String, name: String) -> [String: String]? {
        data(kind: kind, namespace: namespace, name: name)
    }

    /// The lookup in the shape `ContainerConfigBuilder` takes
    /// (`(kind, namespace, name, key) -> [String: String]?`); the key is not needed to find
    /// the object, the builder picks it from the map.
    public var envLookup: @Sendable (String, String, String, String?) -> [String: String]? {
        let store = self
        return { kind, namespace, name, _ in store.data(kind: kind, namespace: namespace, name: name) }
    }

    private static func key(_ metadata: ObjectMeta) -> String {
        let namespace = metadata.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return namespace + "/" + (metadata.name ?? "")
    }
}
