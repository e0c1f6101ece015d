import Foundation
import NodeSupport

/// The registry flags as a user gives them (`--insecure-registry`, `--registry-config`,
/// `--registry-ca`), shared by `swiftlet images pull` and the node agent, which keeps them
/// in its saved configuration. `load()` turns them into `RegistryOptions`.
public struct RegistrySettings: Codable, Sendable, Equatable {
    /// `HOST[:PORT]` entries reached over plain HTTP or unverified TLS.
    public var insecureRegistries: [String]
    /// A docker config.json with logins; nil reads ~/.docker/config.json when it exists.
    public var configPath: String?
    /// A PEM CA bundle trusted besides the system CAs.
    public var caFile: String?

    public init(insecureRegistries: [String] = [], configPath: String? = nil, caFile: String? = nil) {
        self.insecureRegistries = insecureRegistries
        self.configPath = configPath
        self.caFile = caFile
    }

    /// Checks every entry, reads the logins and checks the CA bundle can be read, so a
    /// mistake is one line at startup rather than a failure at the first pull. The logins
    /// file is read again at each pull after it changed.
    public func load() throws -> RegistryOptions {
        for entry in insecureRegistries { try RegistrySettings.checkInsecure(entry) }
        if let caFile, access(caFile, R_OK) != 0 {
            throw RegistryError.invalidConfig(file: caFile, reason: "registry CA bundle cannot be read: \(SystemError.message(errno))")
        }
        let credentials = try RegistryCredentialsFile(path: configPath ?? RegistryCredentials.defaultPath, required: configPath != nil)
        return RegistryOptions(insecureRegistries: insecureRegistries, caFile: caFile, credentialsFile: credentials)
    }

    /// `HOST[:PORT]` (or `[V6]:PORT`): no scheme, no path, a port in 1…65535 when given.
    public static func checkInsecure(_ entry: String) throws {
        func refuse(_ reason: String) -> RegistryError {
            .invalidConfig(file: "--insecure-registry \"\(entry)\"", reason: reason)
        }
        if entry.contains("://") { throw refuse("expected HOST[:PORT], without a scheme") }
        if entry.contains("/") { throw refuse("expected HOST[:PORT], without a path") }
        let (host, port) = RegistryOptions.split(entry)
        if host.isEmpty || host.contains(where: { $0.isWhitespace }) { throw refuse("expected HOST[:PORT]") }
        let hasPort = host.count + (entry.hasPrefix("[") ? 2 : 0) < entry.count
        if hasPort, port.map({ !(1...65535).contains($0) }) ?? true {
            throw refuse("the port is not a number in 1-65535")
        }
    }
}
