import NetAddress

/// The ruleset in `nft` syntax, close to what `nft list ruleset` prints for the proxy's tables:
/// for golden tests, logs and reading what the proxy installs.
extension NFTablesRuleset {
    public func nftText() -> String { tables.map { $0.nftText() }.joined() }
}

extension NFTTable {
    public func nftText() -> String {
        var out = "table ip \(name) {\n"
        let elements = Dictionary(grouping: self.elements, by: \.map)
        for set in sets {
            out += "\t\(set.isVerdictMap ? "map" : "set") \(set.name) {\n"
            out += "\t\ttype \(set.key.nftType)\(set.isVerdictMap ? " : verdict" : "")\n"
            if let timeout = set.timeoutSeconds { out += "\t\tflags dynamic,timeout\n\t\ttimeout \(timeout)s\n" }
            if let items = elements[set.name], !items.isEmpty {
                out += "\t\telements = { " + items.map { "\($0.key.nftText) : goto \($0.goto)" }.joined(separator: ",\n\t\t\t     ") + " }\n"
            }
            out += "\t}\n"
        }
        for chain in chains {
            out += "\tchain \(chain.name) {\n"
            if let hook = chain.hook {
                out += "\t\ttype \(hook.type) hook \(hook.point.rawValue) priority \(hook.priority); policy accept;\n"
            }
            for rule in chain.rules { out += "\t\t\(rule.nftText)\n" }
            out += "\t}\n"
        }
        return out + "}\n"
    }
}

extension NFTSet.Key {
    var nftType: String {
        switch self {
        case .addressProtocolPort: return "ipv4_addr . inet_proto . inet_service"
        case .protocolPort: return "inet_proto . inet_service"
        case .address: return "ipv4_addr"
        }
    }

    var nftExpression: String {
        switch self {
        case .addressProtocolPort: return "ip daddr . meta l4proto . th dport"
        case .protocolPort: return "meta l4proto . th dport"
        case .address: return "ip saddr"
        }
    }
}

extension NFTElement.Key {
    var nftText: String {
        switch self {
        case .addressProtocolPort(let address, let proto, let port): return "\(IPv4Address(address)) . \(proto.iptablesName) . \(port)"
        case .protocolPort(let proto, let port): return "\(proto.iptablesName) . \(port)"
        }
    }
}

extension NFTRule {
    var nftText: String { statements.map(\.nftText).joined(separator: " ") }
}

extension NFTStatement {
    var nftText: String {
        switch self {
        case .destination(let address, let prefix, let negated): return "ip daddr \(negated ? "!= " : "")\(prefixText(address, prefix))"
        case .source(let address, let prefix, let negated): return "ip saddr \(negated ? "!= " : "")\(prefixText(address, prefix))"
        case .l4proto(let proto): return "meta l4proto \(proto.iptablesName)"
        case .destinationPort(let port): return "th dport \(port)"
        case .ctStateNew: return "ct state new"
        case .destinationIsLocal: return "fib daddr type local"
        case .randomOneIn(let n): return "numgen random mod \(n) == 0"
        case .markMasked(let mask, let isZero): return "meta mark & 0x\(hex(mask)) \(isZero ? "==" : "!=") 0"
        case .markOr(let bits): return "meta mark set meta mark | 0x\(hex(bits))"
        case .markXor(let bits): return "meta mark set meta mark ^ 0x\(hex(bits))"
        case .verdictMap(let key, let map): return "\(key.nftExpression) vmap @\(map)"
        case .sourceInSet(let set): return "ip saddr @\(set)"
        case .updateSourceInSet(let set): return "update @\(set) { ip saddr }"
        case .jump(let chain): return "jump \(chain)"
        case .goto(let chain): return "goto \(chain)"
        case .return: return "return"
        case .reject: return "reject"
        case .dnat(let address, let port): return "dnat to \(IPv4Address(address)):\(port)"
        case .masquerade(let randomFully): return randomFully ? "masquerade fully-random" : "masquerade"
        }
    }
}

private func hex(_ value: UInt32) -> String { String(value, radix: 16) }

private func prefixText(_ address: UInt32, _ prefix: Int) -> String {
    prefix == 32 ? IPv4Address(address).description : "\(IPv4Address(address))/\(prefix)"
}

