import Foundation

@testable import KubeProxy

/// A stand-in kernel for applier unit tests: interprets iptables-restore input (chain
/// declarations, -A, -I, -D, -X, COMMIT) and iptables -C/-I/-D into in-memory tables, and
/// records every call. Refuses what the kernel refuses: jumps to missing chains, deleting a
/// chain that is still referenced, deleting a rule that is not there.
final class RecordingIPTables: IPTablesExecutor, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var restores: [String] = []
    private(set) var commands: [String] = []
    var failNextRestore = false
    /// table -> chain -> rules (text after the chain name)
    var tables: [String: [String: [String]]] = [
        "filter": ["INPUT": [], "FORWARD": [], "OUTPUT": []],
        "nat": ["PREROUTING": [], "INPUT": [], "OUTPUT": [], "POSTROUTING": []],
    ]
    static let builtins: Set<String> = ["INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING"]

    func restore(_ input: String) throws {
        lock.lock()
        defer { lock.unlock() }
        restores.append(input)
        if failNextRestore {
            failNextRestore = false
            throw ProxyError("iptables-restore failed (exit 1): injected")
        }
        var table = ""
        var staged = tables
        for line in input.split(separator: "\n").map(String.init) {
            if line.hasPrefix("*") {
                table = String(line.dropFirst())
            } else if line == "COMMIT" {
                tables = staged  // each COMMIT is atomic; earlier sections stay if a later one fails
            } else if line.hasPrefix(":") {
                let name = String(line.dropFirst().split(separator: " ")[0])
                staged[table, default: [:]][name] = []
            } else {
                try apply(line, table: table, to: &staged)
            }
        }
    }

    private func apply(_ line: String, table: String, to state: inout [String: [String: [String]]]) throws {
        let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
        let (op, chain) = (parts[0], parts[1])
        guard state[table]?[chain] != nil else { throw ProxyError("\(op) \(chain): no chain") }
        switch op {
        case "-A", "-I":
            var rule = parts[2]
            if op == "-I" { rule = String(rule.drop { $0 != " " }.dropFirst()) }
            if let target = Self.target(rule), target.hasPrefix("KUBE-"), state[table]?[target] == nil {
                throw ProxyError("\(line): jump to missing chain \(target)")
            }
            if op == "-A" { state[table]![chain]!.append(rule) } else { state[table]![chain]!.insert(rule, at: 0) }
        case "-D":
            guard let i = state[table]![chain]!.firstIndex(of: parts[2]) else { throw ProxyError("\(line): no such rule") }
            state[table]![chain]!.remove(at: i)
        case "-X":
            let referenced = state[table]!.values.joined().contains { Self.target($0) == chain }
            if referenced || !(state[table]![chain]!.isEmpty) { throw ProxyError("-X \(chain): chain in use or not empty") }
            state[table]![chain] = nil
        default:
            throw ProxyError("unknown restore line \(line)")
        }
    }

    static func target(_ rule: String) -> String? {
        guard let r = rule.range(of: "-j ", options: .backwards) else { return nil }
        return rule[r.upperBound...].split(separator: " ").first.map(String.init)
    }

    func iptables(table: String, _ args: [String]) throws -> Bool {
        lock.lock()
        defer { lock.unlock() }
        commands.append("-t \(table) " + args.joined(separator: " "))
        let rule = RuleText(); var text = rule
        text.append(Array(args.dropFirst(2)))
        let chain = args[1]
        switch args[0] {
        case "-C": return tables[table]?[chain]?.contains(text.text) ?? false
        case "-I": tables[table]![chain]!.insert(text.text, at: 0); return true
        case "-D":
            guard let i = tables[table]?[chain]?.firstIndex(of: text.text) else { return false }
            tables[table]![chain]!.remove(at: i); return true
        default: throw ProxyError("unexpected iptables \(args)")
        }
    }

    func save(table: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        var out = "*\(table)\n"
        for name in (tables[table] ?? [:]).keys.sorted() {
            out += ":\(name) \(Self.builtins.contains(name) ? "ACCEPT" : "-") [0:0]\n"
        }
        for (name, rules) in (tables[table] ?? [:]).sorted(by: { $0.key < $1.key }) {
            for rule in rules { out += "-A \(name) \(rule)\n" }
        }
        return out + "COMMIT\n"
    }

    /// The proxy's chains with rule order normalized where it does not matter (dispatch chains).
    func proxyState() -> [String: [String: [String]]] {
        lock.lock()
        defer { lock.unlock() }
        var result: [String: [String: [String]]] = [:]
        for (table, chains) in tables {
            for (name, rules) in chains where KubeChains.isOwned(name, table: table) {
                result[table, default: [:]][name] = SyncPlanner.dispatchChains(table).contains(name) ? normalizedDispatch(rules) : rules
            }
        }
        return result
    }

    func resetRecords() {
        lock.lock()
        restores = []
        commands = []
        lock.unlock()
    }
}

/// Dispatch chain rules sorted, except the fixed last rule which stays last.
func normalizedDispatch(_ rules: [String]) -> [String] {
    guard let last = rules.last, last.contains("NOTE: this must be the last rule") else { return rules.sorted() }
    return rules.dropLast().sorted() + [last]
}

extension Ruleset {
    /// The ruleset as RecordingIPTables.proxyState() shows it once applied.
    var expectedState: [String: [String: [String]]] {
        var result: [String: [String: [String]]] = [:]
        for table in tables {
            for chain in table.chains {
                result[table.name, default: [:]][chain.name] =
                    SyncPlanner.dispatchChains(table.name).contains(chain.name) ? normalizedDispatch(chain.rules) : chain.rules
            }
        }
        return result
    }
}
