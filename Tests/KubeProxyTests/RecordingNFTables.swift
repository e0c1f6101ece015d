import Foundation

@testable import KubeProxy

/// A stand-in kernel for nftables applier unit tests: keeps each table's chains, sets and
/// elements by applying plans the way nf_tables does, and refuses what it refuses (a rule
/// or element naming a missing chain, deleting what is absent or still named elsewhere).
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

    func apply(_ plan: NFTablesPlan, table name: String) throws {
        lock.lock()
        defer { lock.unlock() }
        plans.append(plan)
        if failNext {
            failNext = false
            throw ProxyError("nftables: injected failure")
        }
        var table = plan.recreateTable ? Table() : (tables[name] ?? Table())
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
        tables[name] = table
    }

    func deleteTable(_ table: String) throws {
        lock.lock()
        defer { lock.unlock() }
        tables[table] = nil
    }

    /// The table a ruleset describes, to compare with what the plans built.
    static func expected(_ ruleset: NFTablesRuleset) -> Table {
        Table(chains: Dictionary(uniqueKeysWithValues: ruleset.allChains.map { ($0.name, $0.rules) }),
              sets: Dictionary(uniqueKeysWithValues: ruleset.allSets.map { ($0.name, $0) }),
              elements: Set(ruleset.allElements))
    }
}
