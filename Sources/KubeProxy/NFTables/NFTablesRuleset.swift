/// The proxy's nf_tables tables, in kube-proxy's nftables-mode layout split in shards:
/// table `ip kube-proxy` holds what all Services share (the filter checks, the no-endpoint
/// maps, masquerading); each Service's NAT dispatch (its chains, affinity sets and
/// `service-ips`/`service-nodeports` elements) lives in one of `shardCount` tables
/// `ip kube-proxy-services-<n>`, picked by a hash of its name. nf_tables re-checks the jump
/// graph of every table a transaction adds a jump to, so a sync that changes one Service
/// re-checks one shard, not every Service (kernels since 6.x check tables one by one). Shards
/// hook NAT at the same priority; nf_nat stops at the first chain that binds a connection,
/// and each Service's addresses are matched in one shard only.
public struct NFTablesRuleset: Sendable, Equatable {
    /// Maps and chains of the shared table.
    public var main: NFTTableBase
    /// Maps and chains every shard table has besides its Services' parts.
    public var shard: NFTTableBase
    /// Each Service's chains, sets and map elements.
    public var services: [ServiceName: NFTServiceRules] {
        didSet { occupiedShards = Self.occupied(services) }
    }
    /// The shards holding some Service's chains or elements; only those tables exist.
    public private(set) var occupiedShards: Set<Int>

    public init(main: NFTTableBase, shard: NFTTableBase, services: [ServiceName: NFTServiceRules]) {
        self.main = main
        self.shard = shard
        self.services = services
        self.occupiedShards = Self.occupied(services)
    }

    /// kube-proxy's table name, the shared table; Swiftlet owns it and the shard tables.
    public static let tableName = "kube-proxy"
    public static let shardCount = 16

    public static func shardTableName(_ shard: Int) -> String { "\(tableName)-services-\(shard)" }

    /// Every table the proxy may own, present or not.
    public static let allTableNames = [tableName] + (0..<shardCount).map(shardTableName)

    /// The shard a Service's NAT part goes to: FNV-1a of `namespace/name`, stable across runs.
    public static func shard(of service: ServiceName) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in "\(service.namespace)/\(service.name)".utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash % UInt32(shardCount))
    }

    /// The tables as the kernel holds them: the shared one, then the occupied shards in order.
    public var tables: [NFTTable] {
        let sorted = services.sorted { $0.key < $1.key }.map(\.value)
        var tables = [NFTTable(name: Self.tableName, sets: main.sets, chains: main.chains,
                               elements: sorted.flatMap(\.noEndpointElements))]
        for index in occupiedShards.sorted() {
            let parts = sorted.filter { $0.shard == index }
            tables.append(NFTTable(name: Self.shardTableName(index), sets: shard.sets + parts.flatMap(\.sets),
                                   chains: shard.chains + parts.flatMap(\.chains), elements: parts.flatMap(\.elements)))
        }
        return tables
    }

    private static func occupied(_ services: [ServiceName: NFTServiceRules]) -> Set<Int> {
        var shards = Set<Int>()
        for part in services.values where !part.isEmptyInShard { shards.insert(part.shard) }
        return shards
    }
}

/// The sets and chains of a table that depend only on the proxy's options.
public struct NFTTableBase: Sendable, Equatable {
    public var sets: [NFTSet]
    public var chains: [NFTChain]
}

/// One whole table: what a full sync creates, `nft list` shows and tests compare.
public struct NFTTable: Sendable, Equatable {
    public var name: String
    public var sets: [NFTSet]
    public var chains: [NFTChain]
    public var elements: [NFTElement]
}

/// One Service's share of the tables: in its shard, its chains (service, endpoint, external),
/// affinity sets and map elements; in the shared table, its no-endpoint map elements.
public struct NFTServiceRules: Sendable, Equatable {
    /// Its shard table (`NFTablesRuleset.shard(of:)`).
    public var shard = 0
    public var chains: [NFTChain] = []
    public var sets: [NFTSet] = []
    public var elements: [NFTElement] = []
    /// Elements of the shared table's no-endpoint maps (rejecting its addresses).
    public var noEndpointElements: [NFTElement] = []
    /// Why the Service was skipped, if it was.
    public var problems: [String] = []

    var isEmptyInShard: Bool { chains.isEmpty && sets.isEmpty && elements.isEmpty }
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
