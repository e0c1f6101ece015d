/// What a runtime tells a CNI plugin about one attachment: the container, its network
/// namespace, the interface name inside it, CNI_ARGS and capability arguments
/// (runtimeConfig, e.g. `portMappings`).
public struct RuntimeConf: Sendable {
    public var containerID: String
    public var netNS: String
    public var ifName: String
    public var args: [(String, String)]
    public var capabilityArgs: [String: JSONValue]

    public init(
        containerID: String, netNS: String, ifName: String = "eth0", args: [(String, String)] = [],
        capabilityArgs: [String: JSONValue] = [:]
    ) {
        self.containerID = containerID
        self.netNS = netNS
        self.ifName = ifName
        self.args = args
        self.capabilityArgs = capabilityArgs
    }

    /// CNI_ARGS text. `IgnoreUnknown=1` goes first so the reference plugins accept keys
    /// they do not know (K8S_POD_NAME...), as containerd and CRI-O do.
    var cniArgs: String {
        guard !args.isEmpty else { return "" }
        var pairs = args
        if !pairs.contains(where: { $0.0 == "IgnoreUnknown" }) { pairs.insert(("IgnoreUnknown", "1"), at: 0) }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
    }
}
