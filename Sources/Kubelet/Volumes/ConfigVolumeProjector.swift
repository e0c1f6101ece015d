import Foundation
import KubeAPI

/// One file of a config volume: its content and permission bits.
public struct ConfigVolumeFile: Sendable, Hashable {
    public var bytes: [UInt8]
    /// Permission bits, 0…0777.
    public var mode: Int

    public init(bytes: [UInt8], mode: Int) {
        self.bytes = bytes
        self.mode = mode
    }

    public init(_ text: String, mode: Int) {
        self.init(bytes: Array(text.utf8), mode: mode)
    }
}

/// Turns a pod's configMap, secret or projected volume into the files to write (relative
/// path → content and mode), as the kubelet's configmap, secret and projected volume
/// plugins compute their payload.
public enum ConfigVolumeProjector {
    /// The mode of every file no `mode` or `defaultMode` speaks for (upstream's
    /// `ConfigMapVolumeSourceDefaultMode`, used for secrets too).
    public static let defaultMode = 0o644

    /// Whether the volume is one this projector writes.
    public static func handles(_ volume: Volume) -> Bool {
        volume.configMap != nil || volume.secret != nil || volume.projected != nil
    }

    /// Whether the volume must live in memory: secret volumes, and projected ones (which
    /// may carry secrets), as upstream backs them with a memory emptyDir.
    public static func needsTmpfs(_ volume: Volume) -> Bool {
        volume.secret != nil || volume.projected != nil
    }

    /// The objects a volume reads, as `(kind, name)` in the pod's namespace; the pod
    /// worker rewrites the volume when one of them changes.
    public static func references(of volume: Volume) -> [(kind: String, name: String)] {
        if let source = volume.configMap { return [(ConfigStore.configMapKind, source.name ?? "")] }
        if let source = volume.secret { return [(ConfigStore.secretKind, source.secretName ?? "")] }
        var result: [(kind: String, name: String)] = []
        for projection in volume.projected?.sources ?? [] {
            if let source = projection.configMap { result.append((ConfigStore.configMapKind, source.name ?? "")) }
            if let source = projection.secret { result.append((ConfigStore.secretKind, source.name ?? "")) }
        }
        return result
    }

    /// The files of a configMap, secret or projected volume of a pod in `namespace`.
    /// A missing object or key is an error unless the reference is `optional`, in which
    /// case it contributes nothing (an optional missing object gives an empty volume).
    public static func files(for volume: Volume, namespace: String, store: ConfigStore) throws -> [String: ConfigVolumeFile] {
        var files: [String: ConfigVolumeFile]
        if let source = volume.configMap {
            let mode = try checkedMode(source.defaultMode, volume: volume.name, field: "configMap.defaultMode") ?? defaultMode
            files = try project(
                kind: ConfigStore.configMapKind, name: source.name, nameField: "configMap.name", items: source.items,
                optional: source.optional ?? false, defaultMode: mode, volume: volume.name, namespace: namespace, store: store)
        } else if let source = volume.secret {
            let mode = try checkedMode(source.defaultMode, volume: volume.name, field: "secret.defaultMode") ?? defaultMode
            files = try project(
                kind: ConfigStore.secretKind, name: source.secretName, nameField: "secret.secretName", items: source.items,
                optional: source.optional ?? false, defaultMode: mode, volume: volume.name, namespace: namespace, store: store)
        } else if let projected = volume.projected {
            let mode = try checkedMode(projected.defaultMode, volume: volume.name, field: "projected.defaultMode") ?? defaultMode
            files = [:]
            for (index, projection) in (projected.sources ?? []).enumerated() {
                let field = "projected.sources[\(index)]"
                var part: [String: ConfigVolumeFile] = [:]
                if let source = projection.configMap {
                    part = try project(
                        kind: ConfigStore.configMapKind, name: source.name, nameField: field + ".configMap.name",
                        items: source.items, optional: source.optional ?? false, defaultMode: mode,
                        volume: volume.name, namespace: namespace, store: store)
                } else if let source = projection.secret {
                    part = try project(
                        kind: ConfigStore.secretKind, name: source.name, nameField: field + ".secret.name",
                        items: source.items, optional: source.optional ?? false, defaultMode: mode,
                        volume: volume.name, namespace: namespace, store: store)
                } else if projection.downwardAPI != nil {
                    throw ConfigVolumeError.unsupportedSource(volume: volume.name, source: field + ".downwardAPI")
                }
                // Later sources win on a shared path, as upstream fills one payload map.
                files.merge(part) { _, new in new }
            }
        } else {
            throw ConfigVolumeError.unsupportedSource(volume: volume.name, source: "a volume without configMap, secret or projected")
        }
        try validateLayout(Array(files.keys), volume: volume.name)
        return files
    }

    private static func project(
        kind: String, name: String?, nameField: String, items: [KeyToPath]?, optional: Bool, defaultMode: Int,
        volume: String, namespace: String, store: ConfigStore
    ) throws -> [String: ConfigVolumeFile] {
        guard let name, !name.isEmpty else {
            throw ConfigVolumeError.missingName(volume: volume, field: nameField)
        }
        guard let data = store.bytes(kind: kind, namespace: namespace, name: name) else {
            if optional { return [:] }
            throw ConfigVolumeError.objectNotFound(kind: kind, name: name)
        }
        var files: [String: ConfigVolumeFile] = [:]
        guard let items, !items.isEmpty else {
            for (key, bytes) in data {
                try validatePath(key, volume: volume)
                files[key] = ConfigVolumeFile(bytes: bytes, mode: defaultMode)
            }
            return files
        }
        for (index, item) in items.enumerated() {
            let mode = try checkedMode(item.mode, volume: volume, field: "\(nameField) items[\(index)].mode") ?? defaultMode
            try validatePath(item.path, volume: volume)
            guard let bytes = data[item.key] else {
                if optional { continue }
                throw ConfigVolumeError.keyNotFound(kind: kind, name: name, key: item.key)
            }
            files[item.path] = ConfigVolumeFile(bytes: bytes, mode: mode)
        }
        return files
    }

    private static func checkedMode(_ mode: Int?, volume: String, field: String) throws -> Int? {
        guard let mode else { return nil }
        guard (0...0o777).contains(mode) else {
            throw ConfigVolumeError.invalidMode(volume: volume, field: field, mode: mode)
        }
        return mode
    }

    /// Upstream's atomic writer rules for a payload path: relative, no `..` element, not
    /// starting with `..` (that prefix is the writer's own), at most 4096 bytes with
    /// elements of at most 255; and no empty or `.` elements, so each file has one spelling.
    static func validatePath(_ path: String, volume: String) throws {
        func fail(_ reason: String) -> ConfigVolumeError {
            .invalidPath(volume: volume, path: path, reason: reason)
        }
        if path.isEmpty { throw fail("must not be empty") }
        if path.utf8.count > 4096 { throw fail("must be at most 4096 bytes") }
        if path.hasPrefix("/") { throw fail("must be a relative path") }
        if path.utf8.contains(0) { throw fail("must not contain a NUL byte") }
        let elements = path.split(separator: "/", omittingEmptySubsequences: false)
        for element in elements {
            if element == ".." { throw fail("must not contain '..'") }
            if element.isEmpty || element == "." { throw fail("must not have empty or '.' elements") }
            if element.utf8.count > 255 { throw fail("each element must be at most 255 bytes") }
        }
        if elements[0].hasPrefix("..") { throw fail("must not start with '..'") }
    }

    /// A path cannot be both a file and the directory of another file.
    static func validateLayout(_ paths: [String], volume: String) throws {
        let files = Set(paths)
        for path in paths.sorted() {
            var prefix = Substring(path)
            while let slash = prefix.lastIndex(of: "/") {
                prefix = prefix[..<slash]
                if files.contains(String(prefix)) {
                    throw ConfigVolumeError.invalidPath(
                        volume: volume, path: path, reason: "its directory \"\(prefix)\" is also a file of the volume")
                }
            }
        }
    }
}
