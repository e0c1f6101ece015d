/// The swiftlet-bridge network config: the reference bridge plugin's options.
public struct BridgeConfig: Equatable, Sendable {
    public var name: String
    public var cniVersion: String
    public var bridge: String
    public var isGateway: Bool
    public var isDefaultGateway: Bool
    public var ipMasq: Bool
    public var hairpinMode: Bool
    public var promiscMode: Bool
    public var mtu: Int?
    /// The `ipam` object, handed to host-local in-process or to the delegated plugin.
    public var ipam: JSONValue
    public var ipamType: String
    public var dns: JSONValue
    public var prevResult: CNIResult?

    /// Reads the options; a wrong field gives error 7 naming it, an unknown version error 1.
    public init(_ config: NetworkConfig) throws {
        let json = config.json
        func invalid(_ message: String) -> CNIError { CNIError(.invalidNetworkConfig, message) }
        func bool(_ key: String) throws -> Bool {
            guard let v = json[key] else { return false }
            guard let b = v.boolValue else {
                throw invalid("field \"\(key)\" must be true or false, got \(v.serialized())")
            }
            return b
        }
        cniVersion = config.cniVersion
        guard supportedCNIVersions.contains(cniVersion) else {
            throw CNIError(
                .incompatibleVersion,
                "incompatible CNI versions: config is \"\(cniVersion)\", plugin supports \(supportedCNIVersions)")
        }
        guard !config.name.isEmpty else { throw invalid("field \"name\" is missing") }
        name = config.name
        if let v = json["bridge"] {
            guard let s = v.stringValue, PluginEnvironment.isValidInterfaceName(s) else {
                throw invalid("field \"bridge\" must be an interface name (1-15 characters), got \(v.serialized())")
            }
            bridge = s
        } else {
            bridge = "cni0"
        }
        isDefaultGateway = try bool("isDefaultGateway")
        isGateway = try bool("isGateway") || isDefaultGateway
        ipMasq = try bool("ipMasq")
        hairpinMode = try bool("hairpinMode")
        promiscMode = try bool("promiscMode")
        if let v = json["mtu"] {
            guard let m = v.intValue, (68...65535).contains(m) else {
                throw invalid("field \"mtu\" must be an integer from 68 to 65535, got \(v.serialized())")
            }
            mtu = m
        }
        guard let ipam = json["ipam"], ipam.objectValue != nil else {
            throw invalid("field \"ipam\" is missing (swiftlet-bridge needs IPAM)")
        }
        guard let type = ipam["type"]?.stringValue, !type.isEmpty, !type.contains("/") else {
            throw invalid("field \"ipam.type\" is missing")
        }
        self.ipam = ipam
        ipamType = type
        dns = json["dns"] ?? .object([])
        if let prev = json["prevResult"], !prev.isNull {
            do {
                prevResult = try CNIResult(json: prev, source: "prevResult")
            } catch let error as CNIError {
                throw invalid(error.msg)
            }
        }
    }
}
