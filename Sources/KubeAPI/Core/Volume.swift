/// A named volume of a pod; exactly one source is set (core/v1 `Volume`).
public struct Volume: Codable, Sendable, Hashable {
    public var name: String
    public var hostPath: HostPathVolumeSource?
    public var emptyDir: EmptyDirVolumeSource?
    public var secret: SecretVolumeSource?
    public var configMap: ConfigMapVolumeSource?
    public var projected: ProjectedVolumeSource?
    public var downwardAPI: DownwardAPIVolumeSource?
    public var persistentVolumeClaim: PersistentVolumeClaimVolumeSource?

    public init(
        name: String,
        hostPath: HostPathVolumeSource? = nil,
        emptyDir: EmptyDirVolumeSource? = nil,
        secret: SecretVolumeSource? = nil,
        configMap: ConfigMapVolumeSource? = nil,
        projected: ProjectedVolumeSource? = nil,
        downwardAPI: DownwardAPIVolumeSource? = nil,
        persistentVolumeClaim: PersistentVolumeClaimVolumeSource? = nil
    ) {
        self.name = name
        self.hostPath = hostPath
        self.emptyDir = emptyDir
        self.secret = secret
        self.configMap = configMap
        self.projected = projected
        self.downwardAPI = downwardAPI
        self.persistentVolumeClaim = persistentVolumeClaim
    }
}

/// A file or directory of the node mounted into the pod.
public struct HostPathVolumeSource: Codable, Sendable, Hashable {
    public var path: String
    public var type: HostPathType?

    public init(path: String, type: HostPathType? = nil) {
        self.path = path
        self.type = type
    }
}

/// A scratch directory that lives as long as the pod.
public struct EmptyDirVolumeSource: Codable, Sendable, Hashable {
    public var medium: StorageMedium?
    public var sizeLimit: Quantity?

    public init(medium: StorageMedium? = nil, sizeLimit: Quantity? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

/// A Secret's keys as files.
public struct SecretVolumeSource: Codable, Sendable, Hashable {
    public var secretName: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int?
    public var optional: Bool?

    public init(
        secretName: String? = nil,
        items: [KeyToPath]? = nil,
        defaultMode: Int? = nil,
        optional: Bool? = nil
    ) {
        self.secretName = secretName
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// A ConfigMap's keys as files.
public struct ConfigMapVolumeSource: Codable, Sendable, Hashable {
    public var name: String?
    public var items: [KeyToPath]?
    public var defaultMode: Int?
    public var optional: Bool?

    public init(
        name: String? = nil,
        items: [KeyToPath]? = nil,
        defaultMode: Int? = nil,
        optional: Bool? = nil
    ) {
        self.name = name
        self.items = items
        self.defaultMode = defaultMode
        self.optional = optional
    }
}

/// Which key goes to which relative path, with an optional file mode.
public struct KeyToPath: Codable, Sendable, Hashable {
    public var key: String
    public var path: String
    public var mode: Int?

    public init(
        key: String,
        path: String,
        mode: Int? = nil
    ) {
        self.key = key
        self.path = path
        self.mode = mode
    }
}

/// Several sources merged into one directory.
public struct ProjectedVolumeSource: Codable, Sendable, Hashable {
    public var sources: [VolumeProjection]?
    public var defaultMode: Int?

    public init(sources: [VolumeProjection]? = nil, defaultMode: Int? = nil) {
        self.sources = sources
        self.defaultMode = defaultMode
    }
}

/// One source of a projected volume.
public struct VolumeProjection: Codable, Sendable, Hashable {
    public var secret: SecretProjection?
    public var configMap: ConfigMapProjection?
    public var downwardAPI: DownwardAPIProjection?

    public init(
        secret: SecretProjection? = nil,
        configMap: ConfigMapProjection? = nil,
        downwardAPI: DownwardAPIProjection? = nil
    ) {
        self.secret = secret
        self.configMap = configMap
        self.downwardAPI = downwardAPI
    }
}

/// A Secret inside a projected volume.
public struct SecretProjection: Codable, Sendable, Hashable {
    public var name: String?
    public var items: [KeyToPath]?
    public var optional: Bool?

    public init(
        name: String? = nil,
        items: [KeyToPath]? = nil,
        optional: Bool? = nil
    ) {
        self.name = name
        self.items = items
        self.optional = optional
    }
}

/// A ConfigMap inside a projected volume.
public struct ConfigMapProjection: Codable, Sendable, Hashable {
    public var name: String?
    public var items: [KeyToPath]?
    public var optional: Bool?

    public init(
        name: String? = nil,
        items: [KeyToPath]? = nil,
        optional: Bool? = nil
    ) {
        self.name = name
        self.items = items
        self.optional = optional
    }
}

/// Pod fields inside a projected volume.
public struct DownwardAPIProjection: Codable, Sendable, Hashable {
    public var items: [DownwardAPIVolumeFile]?

    public init(items: [DownwardAPIVolumeFile]? = nil) {
        self.items = items
    }
}

/// Pod fields as files.
public struct DownwardAPIVolumeSource: Codable, Sendable, Hashable {
    public var items: [DownwardAPIVolumeFile]?
    public var defaultMode: Int?

    public init(items: [DownwardAPIVolumeFile]? = nil, defaultMode: Int? = nil) {
        self.items = items
        self.defaultMode = defaultMode
    }
}

/// One pod field written to a file.
public struct DownwardAPIVolumeFile: Codable, Sendable, Hashable {
    public var path: String
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var mode: Int?

    public init(
        path: String,
        fieldRef: ObjectFieldSelector? = nil,
        resourceFieldRef: ResourceFieldSelector? = nil,
        mode: Int? = nil
    ) {
        self.path = path
        self.fieldRef = fieldRef
        self.resourceFieldRef = resourceFieldRef
        self.mode = mode
    }
}

/// A claim on a persistent volume (decoded, but this node has no storage provisioner).
public struct PersistentVolumeClaimVolumeSource: Codable, Sendable, Hashable {
    public var claimName: String
    public var readOnly: Bool?

    public init(claimName: String, readOnly: Bool? = nil) {
        self.claimName = claimName
        self.readOnly = readOnly
    }
}
