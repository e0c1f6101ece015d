import Foundation

/// An image configuration (OCI image-spec config.json / Docker image JSON): the process
/// defaults in `config` and the layers' uncompressed digests in `rootfs.diff_ids`.
public struct ImageConfig: Codable, Sendable, Hashable {
    public var architecture: String?
    public var os: String?
    public var created: String?
    public var config: ContainerDefaults?
    public var rootfs: RootFS

    /// The process defaults the image suggests (`config` in the JSON).
    public struct ContainerDefaults: Codable, Sendable, Hashable {
        public var user: String?
        public var env: [String]?
        public var entrypoint: [String]?
        public var cmd: [String]?
        public var workingDir: String?
        public var labels: [String: String]?
        public var stopSignal: String?
        public var exposedPorts: [String: EmptyObject]?

        enum CodingKeys: String, CodingKey {
            case user = "User", env = "Env", entrypoint = "Entrypoint", cmd = "Cmd"
            case workingDir = "WorkingDir", labels = "Labels", stopSignal = "StopSignal"
            case exposedPorts = "ExposedPorts"
        }

        public init(user: String? = nil, env: [String]? = nil, entrypoint: [String]? = nil, cmd: [String]? = nil, workingDir: String? = nil) {
            self.user = user
            self.env = env
            self.entrypoint = entrypoint
            self.cmd = cmd
            self.workingDir = workingDir
        }
    }

    /// `{}` as it appears in ExposedPorts and Volumes.
    public struct EmptyObject: Codable, Sendable, Hashable {}

    public struct RootFS: Codable, Sendable, Hashable {
        public var type: String
        public var diffIDs: [Digest]

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }

        public init(type: String = "layers", diffIDs: [Digest]) {
            self.type = type
            self.diffIDs = diffIDs
        }
    }

    public init(architecture: String? = nil, os: String? = nil, config: ContainerDefaults? = nil, rootfs: RootFS) {
        self.architecture = architecture
        self.os = os
        self.config = config
        self.rootfs = rootfs
    }

    /// Decodes a config, naming `file` and the field when it is not one.
    public static func decode(_ data: Data, file: String) throws -> ImageConfig {
        do {
            return try JSONDecoder().decode(ImageConfig.self, from: data)
        } catch {
            throw ImageError.invalidContent(file: file, reason: "not an image config: \(JSONErrorText.describe(error))")
        }
    }
}
