import NodeSupport

/// An OCI bundle directory with its config.json read and decoded.
public struct OCIBundle: Sendable {
    /// Absolute.
    public let path: String
    public let spec: Spec
    let configBytes: [UInt8]

    public init(path: String) throws {
        self.path = ContainerRuntime.absolute(path)
        let configPath = self.path + "/config.json"
        do {
            configBytes = try FileBytes.read(configPath)
        } catch let error as SystemError {
            throw RuntimeError.invalidConfig(field: configPath, reason: SystemError.message(error.errno))
        }
        spec = try SpecDecoder.decode(Spec.self, from: configBytes, file: "config.json")
    }
}
