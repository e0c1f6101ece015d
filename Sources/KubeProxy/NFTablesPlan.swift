/// What one nf_tables transaction does to the proxy's table, in the order it must happen:
/// references go before what they reference is deleted, and objects exist before rules and
/// elements name them. Built by diffing two generated rulesets, so no sync ever dumps the
/// kernel's ruleset.
public struct NFTablesPlan: Sendable, Equatable {
    /// Delete the table if present and build it from scratch (a full sync).
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

    public var isEmpty: Bool { self == NFTablesPlan() }

    /// Everything in `ruleset`, from an empty (or stale) table.
    public static func full(_ ruleset: NFTablesRuleset) -> NFTablesPlan {
        let chains = ruleset.allChains
        return NFTablesPlan(recreateTable: true, addSets: ruleset.allSets, addChains: chains, fillChains: chains,
                            addElements: ruleset.allElements)
    }

    /// The changes from `old` (what the kernel holds) to `new`. Services whose generated part
    /// is unchanged cost one comparison (the caching generator keeps their storage).
    public static func incremental(from old: NFTablesRuleset, to new: NFTablesRuleset) -> NFTablesPlan {
        if old.table != new.table || old.sets != new.sets { return full(new) }
        var plan = NFTablesPlan()
        plan.diffChains(old.chains, new.chains)
        // Only the changed Services are sorted (for a deterministic plan): sorting all of them
        // would cost more than the comparison.
        var changed: [ServiceName] = []
        for (name, part) in new.services where old.services[name] != part { changed.append(name) }
        for name in old.services.keys where new.services[name] == nil { changed.append(name) }
        for name in changed.sorted() {
            plan.diff(old.services[name] ?? NFTServiceRules(), new.services[name] ?? NFTServiceRules())
        }
        return plan
    }

    private mutating func diff(_ old: NFTServiceRules, _ new: NFTServiceRules) {
        diffChains(old.chains, new.chains)
        let oldSets = Dictionary(old.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newSets = Dictionary(new.sets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for set in old.sets where newSets[set.name] != set { deleteSets.append(set.name) }
        for set in new.sets where oldSets[set.name] != set { addSets.append(set) }
        let oldElements = Set(old.elements), newElements = Set(new.elements)
        // A changed verdict for the same key is a delete then an add in the one transaction.
        deleteElements += old.elements.filter { !newElements.contains($0) }
        addElements += new.elements.filter { !oldElements.contains($0) }
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
