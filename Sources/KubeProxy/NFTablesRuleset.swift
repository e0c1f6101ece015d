/// The proxy's nf_tables table (`ip kube-proxy`), in kube-proxy's nftables-mode layout: fixed
/// chains and maps that depend only on the options, plus each Service's own chains and map
/// elements. Per-Service parts let the applier diff two rulesets without comparing them all.
public struct NFTablesRuleset: Sendable, Equatable {
    public var table: String
    /// Maps and sets every ruleset has.
    public var sets: [NFTSet]
    /// Base chains and the shared dispatch chains.
    public var chains: [NFTChain]
    /// Each Service's chains, sets and map elements.
    public var services: [ServiceName: NFTServiceRules]

    public init(table: String = NFTablesRuleset.tableName, sets: [NFTSet], chains: [NFTChain],
                services: [ServiceName: NFTServiceRules]) {
        self.table = table
        self.sets = sets
        self.chains = chains
        self.services = services
    }

    /// kube-proxy's table name; Swiftlet owns everything in it.
    public static let tableName = "kube-proxy"

    /// Every chain, fixed ones first, then Services by name.
    public var allChains: [NFTChain] { chains + sortedServices.flatMap(\.value.chains) }
    public var allSets: [NFTSet] { sets + sortedServices.flatMap(\.value.sets) }
    public var allElements: [NFTElement] { sortedServices.flatMap(\.value.elements) }

    var sortedServices: [(key: ServiceName, value: NFTServiceRules)] {
        services.sorted { $0.key < $1.key }
    }
}

/// One Service's share of the table: its chains (service, endpoint, external), its affinity
/// sets and its elements in the shared maps.
public struct NFTServiceRules: Sendable, Equatable {
    public var chains: [NFTChain] = []
    public var sets: [NFTSet] = []
    public var elements: [NFTElement] = []
    /// Why the Service was skipped, if it was.
    public var problems: [String] = []
}

/// A set or map of the table.
public struct NFTSet: Sendable, Hashable {
    public enum Key: Sendable, Hashable {
        /// `ipv4_addr . inet_proto . inet_service`
        case addressProtocolPort
        /// `inet_proto . inet_service`
        case protocolPort
        /// `ipv4_addr`
        case address
    }

    public var name: String
    public var key: Key
    /// A verdict map (`: verdict`), else a plain set.
    public var isVerdictMap: Bool
    /// Elements added from the packet path expire after this many seconds (affinity sets).
    public var timeoutSeconds: Int?

    public init(name: String, key: Key, isVerdictMap: Bool, timeoutSeconds: Int? = nil) {
        self.name = name
        self.key = key
        self.isVerdictMap = isVerdictMap
        self.timeoutSeconds = timeoutSeconds
    }
}

/// One element of a verdict map: key -> `goto chain`.
public struct NFTElement: Sendable, Hashable {
    public enum Key: Sendable, Hashable {
        case addressProtocolPort(address: UInt32, ServiceProtocol, port: Int)
        case protocolPort(ServiceProtocol, port: Int)
    }

    public var map: String
    public var key: Key
    public var goto: String
}

/// A chain; `hook` makes it a base chain.
public struct NFTChain: Sendable, Equatable {
    public struct Hook: Sendable, Hashable {
        public enum Point: String, Sendable, Hashable { case prerouting, input, forward, output, postrouting }
        /// "nat" or "filter".
        public var type: String
        public var point: Point
        public var priority: Int
    }

    public var name: String
    public var hook: Hook?
    public var rules: [NFTRule]

    public init(name: String, hook: Hook? = nil, rules: [NFTRule] = []) {
        self.name = name
        self.hook = hook
        self.rules = rules
    }
}

/// One rule: statements evaluated left to right, as nft writes them.
public struct NFTRule: Sendable, Hashable {
    public var statements: [NFTStatement]

    public init(_ statements: NFTStatement...) { self.statements = statements }
    public init(statements: [NFTStatement]) { self.statements = statements }
}

/// The statements the proxy uses: each lowers to a few nf_tables expressions.
public enum NFTStatement: Sendable, Hashable {
    /// `ip daddr 1.2.3.4/32`, `ip saddr != 10.0.0.0/8`.
    case destination(address: UInt32, prefix: Int, negated: Bool)
    case source(address: UInt32, prefix: Int, negated: Bool)
    /// `meta l4proto tcp`
    case l4proto(ServiceProtocol)
    /// `th dport 80`
    case destinationPort(Int)
    /// `ct state new`
    case ctStateNew
    /// `fib daddr type local`
    case destinationIsLocal
    /// `numgen random mod N == 0`
    case randomOneIn(Int)
    /// `meta mark & mask == 0` (or `!= 0`)
    case markMasked(UInt32, isZero: Bool)
    /// `meta mark set meta mark | bits`, `… ^ bits`
    case markOr(UInt32)
    case markXor(UInt32)
    /// `ip daddr . meta l4proto . th dport vmap @map`, `meta l4proto . th dport vmap @map`
    case verdictMap(NFTSet.Key, map: String)
    /// `ip saddr @set`
    case sourceInSet(String)
    /// `update @set { ip saddr }`
    case updateSourceInSet(String)
    case jump(String)
    case goto(String)
    case `return`
    case reject
    /// `meta l4proto tcp dnat to 1.2.3.4:80` (the protocol match is a separate statement).
    case dnat(address: UInt32, port: Int)
    case masquerade(randomFully: Bool)
}
