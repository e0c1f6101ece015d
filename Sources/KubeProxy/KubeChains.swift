/// The chain names of kube-proxy's iptables layout, and which chains Swiftlet owns.
public enum KubeChains {
    public static let services = "KUBE-SERVICES"
    public static let externalServices = "KUBE-EXTERNAL-SERVICES"
    public static let nodePorts = "KUBE-NODEPORTS"
    public static let postrouting = "KUBE-POSTROUTING"
    public static let markMasq = "KUBE-MARK-MASQ"
    public static let forward = "KUBE-FORWARD"

    /// Prefixes of the per-service and per-endpoint chains.
    public static let servicePrefix = "KUBE-SVC-"
    public static let endpointPrefix = "KUBE-SEP-"
    public static let externalPrefix = "KUBE-EXT-"
    static let ownedPrefixes = [servicePrefix, endpointPrefix, externalPrefix, "KUBE-SVL-", "KUBE-FW-"]

    /// Fixed chains per table.
    public static let filterChains = [services, externalServices, forward]
    public static let natChains = [services, nodePorts, markMasq, postrouting]

    /// True for every chain the proxy creates in `table` (and so may flush and delete).
    public static func isOwned(_ chain: String, table: String) -> Bool {
        switch table {
        case "filter": return filterChains.contains(chain)
        case "nat": return natChains.contains(chain) || ownedPrefixes.contains { chain.hasPrefix($0) }
        default: return false
        }
    }

    /// `KUBE-SVC-<hash>` for a service port: base32 of sha256 of "ns/name:port" + protocol,
    /// first 16 characters, exactly as kube-proxy names it.
    public static func serviceChain(_ servicePortName: String, _ proto: ServiceProtocol) -> String {
        servicePrefix + hash(servicePortName + proto.iptablesName)
    }

    /// `KUBE-EXT-<hash>`: the external-traffic (NodePort, external and load-balancer IP) chain.
    public static func externalChain(_ servicePortName: String, _ proto: ServiceProtocol) -> String {
        externalPrefix + hash(servicePortName + proto.iptablesName)
    }

    /// `KUBE-SEP-<hash>` for one endpoint ("ip:port") of a service port.
    public static func endpointChain(_ servicePortName: String, _ proto: ServiceProtocol, endpoint: String) -> String {
        endpointPrefix + hash(servicePortName + proto.iptablesName + endpoint)
    }

    static func hash(_ text: String) -> String {
        String(Base32.encode(Array(SHA256.digest(Array(text.utf8)).prefix(10))).prefix(16))
    }
}

/// A rule in a built-in chain that sends traffic into one of the proxy's chains. The applier
/// checks it with `iptables -C` and inserts it with `iptables -I` when missing.
public struct JumpRule: Sendable, Hashable {
    public var table: String
    /// The built-in chain (PREROUTING, OUTPUT, …).
    public var chain: String
    /// Match and target arguments, unquoted, as `iptables` takes them after the chain name.
    public var args: [String]

    init(table: String, chain: String, comment: String, extra: [String] = [], target: String) {
        self.table = table
        self.chain = chain
        self.args = ["-m", "comment", "--comment", comment] + extra + ["-j", target]
    }

    /// The proxy chain the rule jumps to.
    public var target: String { args.last ?? "" }

    /// kube-proxy's jump rules for the chains this proxy fills.
    public static let all: [JumpRule] = {
        let new = ["-m", "conntrack", "--ctstate", "NEW"]
        return [
            JumpRule(table: "filter", chain: "INPUT", comment: "kubernetes externally-visible service portals", extra: new, target: KubeChains.externalServices),
            JumpRule(table: "filter", chain: "FORWARD", comment: "kubernetes externally-visible service portals", extra: new, target: KubeChains.externalServices),
            JumpRule(table: "filter", chain: "FORWARD", comment: "kubernetes service portals", extra: new, target: KubeChains.services),
            JumpRule(table: "filter", chain: "OUTPUT", comment: "kubernetes service portals", extra: new, target: KubeChains.services),
            JumpRule(table: "filter", chain: "FORWARD", comment: "kubernetes forwarding rules", target: KubeChains.forward),
            JumpRule(table: "nat", chain: "OUTPUT", comment: "kubernetes service portals", target: KubeChains.services),
            JumpRule(table: "nat", chain: "PREROUTING", comment: "kubernetes service portals", target: KubeChains.services),
            JumpRule(table: "nat", chain: "POSTROUTING", comment: "kubernetes postrouting rules", target: KubeChains.postrouting),
        ]
    }()
}
