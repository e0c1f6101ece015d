/// What one nf_tables transaction does to the proxy's tables: the steps for each table it
/// touches. Built by diffing two generated rulesets, so no sync ever dumps the kernel's ruleset.
public struct NFTablesPlan: Sendable, Equatable {
    public var tables: [NFTTablePlan] = []
    /// Every table is rebuilt (a full sync).
    public var isFull = false

    public var isEmpty: Bool { tables.allSatisfy(\.isEmpty) }

    /// Every table of `ruleset` built from scratch, and every other table the proxy may own
    /// deleted (each when present).
    public static func full(_ ruleset: NFTablesRuleset) -> NFTablesPlan {
        let present = Dictionary(uniqueKeysWithValues: ruleset.tables.map { ($0.name, $0) })
        return NFTablesPlan(tables: NFTablesRuleset.allTableNames.map { name in
            guard let table = present[name] else { return NFTTablePlan(table: name, deleteTable: true) }
            return NFTTablePlan(table: name, recreateTable: true, addSets: table.sets, addChains: table.chains,
                                fillChains: table.chains, addElements: table.elements)
        }, isFull: true)
    }

    /// The changes from `old` (what the kernel holds) to `new`. Services whose generated part
    /// is unchanged cost one comparison (the caching generator keeps their storage); only the
    /// tables of changed Services are touched.
    public static func incremental(from old: NFTablesRuleset, to new: NFTablesRuleset) -> NFTablesPlan {
        if old.main != new.main || old.shard != new.shard { return full(new) }
        var main = NFTTablePlan(table: NFTablesRuleset.tableName)
        var shards: [Int: NFTTablePlan] = [:]
        for index in new.occupiedShards.subtracting(old.occupiedShards) {
            shards[index] = NFTTablePlan(table: NFTablesRuleset.shardTableName(index), recreateTable: true, addSets: new.shard.sets,
                                         addChains: new.shard.chains, fillChains: new.shard.chains)
        }
        for index in old.occupiedShards.subtracting(new.occupiedShards) {
            shards[index] = NFTTablePlan(table: NFTablesRuleset.shardTableName(index), deleteTable: true)
        }
        // Only the changed Services are sorted (for a deterministic plan): sorting all of them
        // would cost more than the comparison.
        var changed: [ServiceName] = []
        for (name, part) in new.services where old.services[name] != part { changed.append(name) }
        for name in old.services.keys where new.services[name] == nil { changed.append(name) }
        let empty = NFTServiceRules()
        for name in changed.sorted() {
            let before = old.services[name] ?? empty, after = new.services[name] ?? empty
            main.diffElements(before.noEndpointElements, after.noEndpointElements)
            let index = NFTablesRuleset.shard(of: name)
            if shards[index]?.deleteTable == true { continue }
            shards[index, default: NFTTablePlan(table: NFTablesRuleset.shardTableName(index))].diff(before, after)
        }
        return NFTablesPlan(tables: ([main] + shards.sorted { $0.key < $1.key }.map(\.value)).filter { !$0.isEmpty })
    }
}

/// What a transaction does to one table, in the order it must happen: references go before
/// what they reference is deleted, and objects exist before rules and elements name them.
public struct NFTTablePlan: Sendable, Equatable {
    public var table: String
    /// Delete the table if present, and nothing else.
    public var deleteTable = false
    /// Delete the table if present and build it from scratch.
    public var recreateTable = false
    public var flushChains: [String] = []
    public var deleteElements: [NFTElement] = []
    public var deleteSets: [String] = []
    public var deleteChains: [String] = []
    public var addSets: [NFTSet] = []
    /// Chains to create (declared empty; their rules come with `fillChains`).
    public var addChains: [NFTChain] = []
    /// Chains whose rules are (re)written: new ones and flushed ones.
    public var fillChains: [NFTChain] = []
    public var addElements: [NFTElement] = []

    public var isEmpty: Bool { self == NFTTablePlan(table: table) }

    mutating func diff(_ old: NFTServiceRules, _ new: NFTServiceRules) {
        diffChains(old.chains, new.chains)
        let oldSets = Dictionary(old.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newSets = Dictionary(new.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for set in old.sets where newSets[set.name] != set { deleteSets.append(set.name) }
        for set in new.sets where oldSets[set.name] != set { addSets.append(set) }
        diffElements(old.elements, new.elements)
    }

    /// A changed verdict for the same key is a delete then an add in the one transaction.
    mutating func diffElements(_ old: [NFTElement], _ new: [NFTElement]) {
        if old == new { return }
        let oldElements = Set(old), newElements = Set(new)
        deleteElements += old.filter { !newElements.contains($0) }
        addElements += new.filter { !oldElements.contains($0) }
    }

    private mutating func diffChains(_ old: [NFTChain], _ new: [NFTChain]) {
        let oldByName = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newNames = Set(new.map(\.name))
        for chain in new {
            if let before = oldByName[chain.name] {
                if before.rules != chain.rules || before.hook != chain.hook {
                    flushChains.append(chain.name)
                    fillChains.append(chain)
                }
            } else {
                addChains.append(chain)
                fillChains.append(chain)
            }
        }
        for chain in old where !newNames.contains(chain.name) {
            // Flushed first: its jumps to other removed chains go before those are deleted.
            flushChains.append(chain.name)
            deleteChains.append(chain.name)
        }
    }
}
