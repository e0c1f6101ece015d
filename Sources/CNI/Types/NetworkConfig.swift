/// The CNI versions this package speaks, oldest first.
public let supportedCNIVersions = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]

/// One plugin's network configuration (a `.conf` file, or one entry of a conflist's
/// `plugins` with the list's `name` and `cniVersion`). The JSON is kept whole so fields
/// for other plugins pass through untouched.
public struct NetworkConfig: Equatable, Sendable {
    public var json: JSONValue

    public var name: String { json["name"]?.stringValue ?? "" }
    public var type: String { json["type"]?.stringValue ?? "" }
    public var cniVersion: String { json["cniVersion"]?.stringValue ?? "" }
    /// The capabilities the plugin declares (`portMappings`, ...), enabled ones only.
    public var capabilities: [String] {
        (json["capabilities"]?.objectValue ?? []).filter { $0.1.boolValue == true }.map(\.0)
    }

    /// Checks the fields every plugin needs; `source` names the file or stream in errors.
    public init(json: JSONValue, source: String = "network config") throws {
        guard json.objectValue != nil else {
            throw CNIError(.invalidNetworkConfig, "\(source): the network config must be a JSON object")
        }
        for key in ["name", "type", "cniVersion"] {
            if let v = json[key], v.stringValue == nil {
                throw CNIError(.invalidNetworkConfig, "\(source): field \"\(key)\" must be a string")
            }
        }
        guard let type = json["type"]?.stringValue, !type.isEmpty else {
            throw CNIError(.invalidNetworkConfig, "\(source): field \"type\" is missing")
        }
        guard !type.contains("/") else {
            throw CNIError(.invalidNetworkConfig, "\(source): field \"type\" must be a plugin name, got \"\(type)\"")
        }
        self.json = json
    }

    /// Parses a plugin config from JSON bytes.
    public static func parse(_ bytes: [UInt8], source: String = "network config") throws -> NetworkConfig {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw CNIError(.decodingFailure, "\(source): invalid JSON: \(error)")
        }
        return try NetworkConfig(json: value, source: source)
    }
}

/// A network configuration list (a `.conflist`): the named network and its plugin chain.
public struct NetworkConfigList: Equatable, Sendable {
    public var name: String
    public var cniVersion: String
    public var disableCheck: Bool
    public var plugins: [NetworkConfig]
    /// The list as JSON, as libcni caches it.
    public var json: JSONValue

    /// Builds a list from its JSON, checking name, version and each plugin.
    public init(json: JSONValue, source: String = "network config list") throws {
        guard json.objectValue != nil else {
            throw CNIError(.invalidNetworkConfig, "\(source): the network config list must be a JSON object")
        }
        guard let name = json["name"]?.stringValue, !name.isEmpty else {
            throw CNIError(.invalidNetworkConfig, "\(source): field \"name\" is missing")
        }
        guard !name.contains("/") else {
            throw CNIError(.invalidNetworkConfig, "\(source): field \"name\" must not contain '/', got \"\(name)\"")
        }
        let version = json["cniVersion"]?.stringValue ?? ""
        guard supportedCNIVersions.contains(version) else {
            throw CNIError(
                .incompatibleVersion,
                "\(source): cniVersion \"\(version)\" is not supported (supported: \(supportedCNIVersions.joined(separator: ", ")))"
            )
        }
        guard let plugins = json["plugins"]?.arrayValue, !plugins.isEmpty else {
            throw CNIError(.invalidNetworkConfig, "\(source): field \"plugins\" must be a non-empty array")
        }
        self.name = name
        self.cniVersion = version
        self.disableCheck = json["disableCheck"]?.boolValue ?? false
        self.json = json
        self.plugins = try plugins.enumerated().map { i, plugin in
            var conf = plugin
            guard conf.objectValue != nil else {
                throw CNIError(.invalidNetworkConfig, "\(source): plugins[\(i)] must be a JSON object")
            }
            conf.set("name", .string(name))
            conf.set("cniVersion", .string(version))
            return try NetworkConfig(json: conf, source: "\(source): plugins[\(i)]")
        }
    }

    /// A one-plugin list from a `.conf`, as libcni's ConfListFromConf does.
    public init(single config: NetworkConfig, source: String = "network config") throws {
        var list: JSONValue = .object([
            ("cniVersion", .string(config.cniVersion)), ("name", .string(config.name)),
        ])
        var plugin = config.json
        plugin.set("name", nil)
        plugin.set("cniVersion", nil)
        list.set("plugins", .array([plugin]))
        try self.init(json: list, source: source)
    }

    /// Parses `.conflist` bytes.
    public static func parse(_ bytes: [UInt8], source: String = "network config list") throws -> NetworkConfigList {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw CNIError(.decodingFailure, "\(source): invalid JSON: \(error)")
        }
        return try NetworkConfigList(json: value, source: source)
    }

    /// The default network the agent writes: one `swiftlet-bridge` attachment on `bridge`,
    /// gateway and masquerade on, addresses from `subnet` by host-local in `dataDir`.
    public static func swiftletBridge(
        name: String, bridge: String, subnet: String,
        dataDir: String
    ) -> NetworkConfigList {
        let json: JSONValue = .object([
            ("cniVersion", .string("1.0.0")),
            ("name", .string(name)),
            (
                "plugins",
                .array([
                    .object([
                        ("type", .string("swiftlet-bridge")),
                        ("bridge", .string(bridge)),
                        ("isGateway", .bool(true)),
                        ("isDefaultGateway", .bool(true)),
                        ("ipMasq", .bool(true)),
                        ("hairpinMode", .bool(true)),
                        (
                            "ipam",
                            .object([
                                ("type", .string("host-local")),
                                ("ranges", .array([.array([.object([("subnet", .string(subnet))])])])),
                                ("dataDir", .string(dataDir)),
                            ])
                        ),
                    ])
                ])
            ),
        ])
        // Built from constants and the caller's strings: it can only fail on a bad name.
        do {
            return try NetworkConfigList(json: json)
        } catch {
            preconditionFailure("swiftletBridge(name: \"\(name)\"): \(error)")
        }
    }
}
