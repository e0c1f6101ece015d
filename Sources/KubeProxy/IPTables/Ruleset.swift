/// The proxy's rules for the filter and nat tables, chain by chain, as `iptables-restore`
/// takes them. The applier diffs two rulesets chain by chain for incremental syncs.
public struct Ruleset: Sendable, Equatable {
    public var filter: RuleTable
    public var nat: RuleTable

    public init(filter: RuleTable, nat: RuleTable) {
        self.filter = filter
        self.nat = nat
    }

    public var tables: [RuleTable] { [filter, nat] }

    /// The whole ruleset as one `iptables-restore --noflush` input: every chain is declared
    /// (which flushes it) and then filled.
    public func restoreText() -> String {
        var out = ""
        for table in tables { table.appendRestoreText(to: &out) }
        return out
    }
}

/// One netfilter table's chains, in the order they are written.
public struct RuleTable: Sendable, Equatable {
    public var name: String
    public var chains: [RuleChain]

    public init(name: String, chains: [RuleChain]) {
        self.name = name
        self.chains = chains
    }

    public func chain(named name: String) -> RuleChain? { chains.first { $0.name == name } }

    func appendRestoreText(to out: inout String) {
        out += "*\(name)\n"
        for chain in chains { out += ":\(chain.name) - [0:0]\n" }
        for chain in chains {
            for rule in chain.rules { out += "-A \(chain.name) \(rule)\n" }
        }
        out += "COMMIT\n"
    }
}

/// A chain and its rules; each rule is the text after `-A CHAIN`, quoted for iptables-restore.
public struct RuleChain: Sendable, Equatable {
    public var name: String
    public var rules: [String]

    public init(name: String, rules: [String] = []) {
        self.name = name
        self.rules = rules
    }
}

/// Builds one rule's text from arguments, quoting those with spaces as iptables-restore reads them.
struct RuleText {
    private(set) var text = ""

    init(_ args: String...) { append(args) }

    mutating func append(_ args: String...) { append(args) }

    mutating func append(_ args: [String]) {
        for arg in args {
            if !text.isEmpty { text += " " }
            // utf8 scan: Foundation's String.contains(String) is far slower on this hot path.
            text += (arg.isEmpty || arg.utf8.contains(UInt8(ascii: " "))) ? "\"\(arg)\"" : arg
        }
    }
}
