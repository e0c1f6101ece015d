import Foundation

@testable import KubeProxy

/// A stand-in kernel for nftables applier unit tests: keeps each table's chains, sets and
/// elements by applying plans the way nf_tables does, and refuses what it refuses (a rule
/// or element naming a missing chain or table, deleting what is absent or still named
/// elsewhere).
final class RecordingNFTables: NFTablesTransport, @unchecked Sendable {
    struct Table: Equatable {
        var chains: [String: [NFTRule]] = [:]
        var sets: [String: NFTSet] = [:]
        var elements: Set<NFTElement> = []
    }

    private let lock = NSLock()
    private(set) var plans: [NFTablesPlan] = []
    private(set) var tables: [String: Table] = [:]
    var failNext = false

    /// Applies the table plans in order; on any error nothing changes, as in one transaction.
    func apply(_ plan: NFTablesPlan) throws {
        lock.lock()
        defer { lock.unlock() }
        plans.append(plan)
        if failNext {
            failNext = false
            throw ProxyError("nftables: injected failure")
        }
        var after = tables
        for step in plan.tables {
            if step.deleteTable || step.recreateTable { after[step.table] = nil }
            if step.deleteTable { continue }
            guard step.recreateTable || after[step.table] != nil else { throw ProxyError("nftables: table ip \(step.table): No such file or directory") }
            after[step.table] = try apply(step, to: step.recreateTable ? Table() : after[step.table]!)
        }
        tables = after
    }

    private func apply(_ plan: NFTTablePlan, to before: Table) throws -> Table {
        var table = before
        func fail(_ what: String) -> ProxyError { ProxyError("nftables: \(what): No such file or directory") }
        for chain in plan.flushChains {
            guard table.chains[chain] != nil else { throw fail("flush chain \(chain)") }
            table.chains[chain] = []
        }
        for element in plan.deleteElements {
            guard table.elements.remove(element) != nil else { throw fail("delete element of \(element.map)") }
        }
        for set in plan.deleteSets {
            guard table.sets.removeValue(forKey: set) != nil else { throw fail("delete set \(set)") }
        }
        for chain in plan.deleteChains {
            guard table.chains.removeValue(forKey: chain) != nil else { throw fail("delete chain \(chain)") }
        }
        for set in plan.addSets { table.sets[set.name] = set }
        for chain in plan.addChains { table.chains[chain.name] = [] }
        for chain in plan.fillChains {
            guard table.chains[chain.name] != nil else { throw fail("add rule \(chain.name)") }
            table.chains[chain.name]! += chain.rules
        }
        for element in plan.addElements {
            guard table.sets[element.map] != nil, table.chains[element.goto] != nil else { throw fail("add element of \(element.map)") }
            table.elements.insert(element)
        }
        // References must resolve once the transaction is done.
        for (chain, rules) in table.chains {
            for rule in rules {
                for statement in rule.statements {
                    switch statement {
                    case .jump(let target), .goto(let target):
                        guard table.chains[target] != nil else { throw fail("add rule \(chain)") }
                    case .verdictMap(_, let map), .sourceInSet(let map), .updateSourceInSet(let map):
                        guard table.sets[map] != nil else { throw fail("add rule \(chain)") }
                    default: break
                    }
                }
            }
        }
        return table
    }

    func deleteTables(_ names: [String]) throws {
        lock.lock()
        defer { lock.unlock() }
        for name in names { tables[name] = nil }
    }

    /// The tables a ruleset describes, to compare with what the plans built.
    static func expected(_ ruleset: NFTablesRuleset) -> [String: Table] {
        Dictionary(uniqueKeysWithValues: ruleset.tables.map { table in
            (table.name, Table(chains: Dictionary(uniqueKeysWithValues: table.chains.map { ($0.name, $0.rules) }),
                               sets: Dictionary(uniqueKeysWithValues: table.sets.map { ($0.name, $0) }),
                               elements: Set(table.elements)))
        })
    }
}
