import Logging
import NodeSupport

/// The exec protocol around a plugin: reads the environment and stdin, runs the command,
/// and turns the outcome into stdout JSON and an exit code (0, or 1 with the error JSON).
public enum PluginMain {
    /// What the plugin process prints on stdout and exits with.
    public struct Outcome: Equatable, Sendable {
        public var exitCode: Int32
        public var stdout: String
    }

    public static func run(environment: [String: String], stdin: [UInt8], logger: Logger) -> Outcome {
        var cniVersion = "1.0.0"
        do {
            let env = try PluginEnvironment(environment)
            if env.command == .version {
                if let v = (try? JSONValue.parse(stdin))?["cniVersion"]?.stringValue, supportedCNIVersions.contains(v) {
                    cniVersion = v
                }
                let out: JSONValue = .object([
                    ("cniVersion", .string(cniVersion)),
                    ("supportedVersions", .array(supportedCNIVersions.map { .string($0) })),
                ])
                return Outcome(exitCode: 0, stdout: out.serialized(indent: 4) + "\n")
            }
            let config = try NetworkConfig.parse(stdin, source: "network config on stdin")
            if supportedCNIVersions.contains(config.cniVersion) { cniVersion = config.cniVersion }
            let plugin = try BridgePlugin(
                env: env, processEnvironment: environment, networkConfig: config, logger: logger)
            switch env.command {
            case .add:
                let result = try plugin.add()
                return Outcome(exitCode: 0, stdout: result.json.serialized(indent: 4) + "\n")
            case .del:
                try plugin.del()
            case .check:
                try plugin.check()
            case .gc:
                try plugin.gc()
            case .status:
                try plugin.status()
            case .version:
                break
            }
            return Outcome(exitCode: 0, stdout: "")
        } catch {
            let cniError: CNIError
            switch error {
            case let e as CNIError: cniError = e
            case let e as SystemError: cniError = e.cniError
            default: cniError = CNIError(.internalError, "\(error)")
            }
            logger.error("\(cniError.msg)", metadata: ["code": "\(cniError.code)"])
            return Outcome(exitCode: 1, stdout: cniError.json(cniVersion: cniVersion).serialized(indent: 4) + "\n")
        }
    }
}
