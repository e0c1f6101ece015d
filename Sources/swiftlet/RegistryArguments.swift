import ArgumentParser
import Images

/// How registries are reached, for every command that pulls images (`images pull`, `run`).
struct RegistryArguments: ParsableArguments {
    @Option(help: ArgumentHelp("A registry reached over plain HTTP, or TLS without verification (repeatable).", valueName: "host[:port]"))
    var insecureRegistry: [String] = []
    @Option(help: "A docker config.json with registry logins (default: ~/.docker/config.json).") var registryConfig: String?
    @Option(help: "A PEM CA bundle trusted for registry TLS, besides the system CAs.") var registryCA: String?

    var settings: RegistrySettings {
        RegistrySettings(insecureRegistries: insecureRegistry, configPath: registryConfig, caFile: registryCA)
    }

    func validate() throws {
        do {
            for entry in insecureRegistry { try RegistrySettings.checkInsecure(entry) }
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
