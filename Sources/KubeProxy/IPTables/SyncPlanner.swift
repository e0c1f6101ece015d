/// Decides what `iptables-restore --noflush` input brings the kernel from one ruleset to the
/// next. Pure: the applier feeds it what it knows of the kernel and runs the result.
struct SyncPlanner {
    /// Chains written per commit in a full sync. iptables-nft's restore cost grows faster than
    /// linearly with the size of one commit, so a large ruleset is staged in slices.
    var chainsPerCommit: Int

    /// Counts of what a plan does, for logs and the benchmark.
    struct Stats: Equatable {
        var chainsWritten = 0
        var chainsDeleted = 0
        var rulesInserted = 0
        var rulesDeleted = 0
    }

    /// Every chain of `ruleset` is rewritten. The per-service chains go first, in commits of
    /// about `chainsPerCommit` chains; a Service port's chains (external, service and endpoint
    /// chains, which jump to each other) always share one commit, and the fixed chains they
    /// jump to (KUBE-MARK-MASQ) come in the first. The dispatch chains (KUBE-SERVICES,
    /// KUBE-NODEPORTS) are written last, in one commit with the removal of `existing` owned
    /// chains the ruleset no longer has: Services appear and disappear all at once.
    func full(_ ruleset: Ruleset, existing: [String: Set<String>]) -> (input: String, stats: Stats) {
        var out = ""
        var stats = Stats()
        for table in ruleset.tables {
            let stale = (existing[table.name] ?? []).subtracting(table.chains.map(\.name)).sorted()
            let dispatch = Self.dispatchChains(table.name)
            let staged = table.chains.filter { !dispatch.contains($0.name) }
            var slice: [RuleChain] = []
            for group in Self.jumpGroups(staged) {
                slice.append(contentsOf: group)
                if slice.count >= chainsPerCommit {
                    writeSection(table.name, rewrite: slice, to: &out)
                    slice = []
                }
            }
            if !slice.isEmpty { writeSection(table.name, rewrite: slice, to: &out) }
            let last = table.chains.filter { dispatch.contains($0.name) }
            if !last.isEmpty || !stale.isEmpty {
                writeSection(table.name, rewrite: last, delete: stale, to: &out)
            }
            stats.chainsWritten += table.chains.count
            stats.chainsDeleted += stale.count
        }
        return (out, stats)
    }

    /// Declarations of the ruleset's fixed chains absent from `existing` (so nothing is
    /// flushed), with the `jumps` into them: a jump to a chain that did not exist cannot be
    /// there yet, so it is inserted without asking iptables first.
    func missingFixedChains(_ ruleset: Ruleset, existing: [String: Set<String>], jumps: [JumpRule]) -> String {
        var out = ""
        for table in ruleset.tables {
            let have = existing[table.name] ?? []
            let missing = table.chains.filter { Self.tier($0.name) == 0 && !have.contains($0.name) }.map(\.name)
            if missing.isEmpty { continue }
            out += "*\(table.name)\n"
            for name in missing { out += ":\(name) - [0:0]\n" }
            for jump in jumps where jump.table == table.name && missing.contains(jump.target) {
                var rule = RuleText()
                rule.append(jump.args)
                out += "-I \(jump.chain) 1 \(rule.text)\n"
            }
            out += "COMMIT\n"
        }
        return out
    }

    /// `chains` split into groups that jump only within themselves or to the first group: the
    /// fixed chains (tier 0) first, then each set of per-service chains connected by jumps, in
    /// order of appearance.
    static func jumpGroups(_ chains: [RuleChain]) -> [[RuleChain]] {
        let index = Dictionary(chains.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { a, _ in a })
        var parent = Array(chains.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        for (i, chain) in chains.enumerated() where tier(chain.name) != 0 {
            for rule in chain.rules {
                guard let target = jumpTarget(rule), let j = index[target], tier(target) != 0 else { continue }
                parent[root(i)] = root(j)
            }
        }
        var fixed: [RuleChain] = []
        var groups: [[RuleChain]] = []
        var groupOfRoot: [Int: Int] = [:]
        for (i, chain) in chains.enumerated() {
            if tier(chain.name) == 0 {
                fixed.append(chain)
                continue
            }
            let r = root(i)
            if let g = groupOfRoot[r] {
                groups[g].append(chain)
            } else {
                groupOfRoot[r] = groups.count
                groups.append([chain])
            }
        }
        return fixed.isEmpty ? groups : [fixed] + groups
    }

    /// The proxy chain a rule jumps or goes to (`-j`/`-g KUBE-…`), if any. Scans bytes: it
    /// runs for every rule of a full sync.
    static func jumpTarget(_ rule: String) -> String? {
        var rule = rule
        return rule.withUTF8 { bytes -> String? in
            let space = UInt8(ascii: " ")
            var target: Range<Int>?
            var afterJump = false
            var i = 0
            while i < bytes.count {
                while i < bytes.count && bytes[i] == space { i += 1 }
                let start = i
                while i < bytes.count && bytes[i] != space { i += 1 }
                let length = i - start
                if length == 0 { break }
                if afterJump && length > 5 && bytes[start..<start + 5].elementsEqual("KUBE-".utf8) {
                    target = start..<i
                }
                afterJump = length == 2 && bytes[start] == UInt8(ascii: "-")
                    && (bytes[start + 1] == UInt8(ascii: "j") || bytes[start + 1] == UInt8(ascii: "g"))
            }
            return target.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
        }
    }

    /// Only what changed from `old` to `new`: changed and new chains are rewritten, chains
    /// gone from `new` are flushed and deleted (`-X`), and the dispatch chains, which hold one
    /// rule per Service, get rule-level `-D`/`-I` edits instead of a rewrite of every Service.
    func incremental(from old: Ruleset, to new: Ruleset) -> (input: String, stats: Stats) {
        var out = ""
        var stats = Stats()
        for (oldTable, newTable) in zip(old.tables, new.tables) {
            let dispatch = Self.dispatchChains(newTable.name)
            var rewrite: [RuleChain] = []
            var edits: [(chain: String, deleted: [String], inserted: [String])] = []
            func consider(_ chain: RuleChain, before: [String]?) {
                guard let before else {
                    rewrite.append(chain)
                    return
                }
                if before == chain.rules { return }
                if dispatch.contains(chain.name),
                    let edit = Self.ruleEdit(from: before, to: chain.rules, fixedTail: newTable.name == "nat" && chain.name == KubeChains.services)
                {
                    edits.append((chain.name, edit.deleted, edit.inserted))
                } else {
                    rewrite.append(chain)
                }
            }
            // Rulesets come in a stable order and a sync usually changes a few Services: pair
            // chains along the common head and tail by position, and hash only the middle.
            let oldChains = oldTable.chains
            let newChains = newTable.chains
            var head = 0
            while head < oldChains.count && head < newChains.count && oldChains[head].name == newChains[head].name {
                consider(newChains[head], before: oldChains[head].rules)
                head += 1
            }
            var oldEnd = oldChains.count
            var newEnd = newChains.count
            while oldEnd > head && newEnd > head && oldChains[oldEnd - 1].name == newChains[newEnd - 1].name {
                consider(newChains[newEnd - 1], before: oldChains[oldEnd - 1].rules)
                oldEnd -= 1
                newEnd -= 1
            }
            let oldMiddle = Dictionary(oldChains[head..<oldEnd].map { ($0.name, $0.rules) }, uniquingKeysWith: { a, _ in a })
            for chain in newChains[head..<newEnd] { consider(chain, before: oldMiddle[chain.name]) }
            let newMiddle = Set(newChains[head..<newEnd].map(\.name))
            let stale = oldChains[head..<oldEnd].map(\.name).filter { !newMiddle.contains($0) }
            if rewrite.isEmpty && edits.isEmpty && stale.isEmpty { continue }

            out += "*\(newTable.name)\n"
            for chain in rewrite { out += ":\(chain.name) - [0:0]\n" }
            for name in stale { out += ":\(name) - [0:0]\n" }
            for edit in edits {
                for rule in edit.deleted { out += "-D \(edit.chain) \(rule)\n" }
            }
            for edit in edits {
                // Position 1 keeps a dispatch chain's fixed last rule (the KUBE-NODEPORTS jump) last.
                for rule in edit.inserted.reversed() { out += "-I \(edit.chain) 1 \(rule)\n" }
            }
            for chain in rewrite {
                for rule in chain.rules { out += "-A \(chain.name) \(rule)\n" }
            }
            for name in stale { out += "-X \(name)\n" }
            out += "COMMIT\n"
            stats.chainsWritten += rewrite.count
            stats.chainsDeleted += stale.count
            stats.rulesDeleted += edits.reduce(0) { $0 + $1.deleted.count }
            stats.rulesInserted += edits.reduce(0) { $0 + $1.inserted.count }
        }
        return (out, stats)
    }

    /// Flushes and deletes `chains` (the proxy's own, as found in the kernel), in slices like a
    /// full sync but in the reverse order: the chains that jump first, so every slice deletes
    /// only chains nothing refers to any more.
    func removal(_ chains: [String: Set<String>]) -> String {
        var out = ""
        for table in ["filter", "nat"] {
            let names = (chains[table] ?? []).sorted { (-Self.tier($0), $0) < (-Self.tier($1), $1) }
            let dispatch = Self.dispatchChains(table)
            let first = names.filter { dispatch.contains($0) }
            let rest = names.filter { !dispatch.contains($0) }
            if !first.isEmpty { writeSection(table, rewrite: [], delete: first, to: &out) }
            var start = 0
            while start < rest.count {
                let slice = rest[start..<min(start + max(chainsPerCommit, 1), rest.count)]
                writeSection(table, rewrite: [], delete: Array(slice), to: &out)
                start += slice.count
            }
        }
        return out
    }

    /// The chains holding one rule per Service port, whose order does not matter except for a
    /// fixed last rule.
    static func dispatchChains(_ table: String) -> Set<String> {
        switch table {
        case "nat": return [KubeChains.services, KubeChains.nodePorts]
        case "filter": return [KubeChains.services, KubeChains.externalServices]
        default: return []
        }
    }

    /// Rules to delete and insert to turn `old` into `new` (up to order), or nil when a rewrite
    /// is needed: a duplicated rule, or a different last rule in a chain whose last rule is fixed
    /// (nat KUBE-SERVICES ends with the jump to KUBE-NODEPORTS).
    static func ruleEdit(from old: [String], to new: [String], fixedTail: Bool) -> (deleted: [String], inserted: [String])? {
        let oldSet = Set(old)
        let newSet = Set(new)
        guard oldSet.count == old.count, newSet.count == new.count, !fixedTail || old.last == new.last else { return nil }
        return (old.filter { !newSet.contains($0) }, new.filter { !oldSet.contains($0) })
    }

    /// Staging order in a full sync: chains that only jump to fixed chains first.
    static func tier(_ chain: String) -> Int {
        if chain.hasPrefix(KubeChains.endpointPrefix) { return 1 }
        if chain.hasPrefix(KubeChains.servicePrefix) || chain.hasPrefix("KUBE-SVL-") { return 2 }
        if chain.hasPrefix(KubeChains.externalPrefix) || chain.hasPrefix("KUBE-FW-") { return 3 }
        return 0
    }

    private func writeSection(_ table: String, rewrite: [RuleChain], delete: [String] = [], to out: inout String) {
        out += "*"; out += table; out += "\n"
        for chain in rewrite { out += ":"; out += chain.name; out += " - [0:0]\n" }
        for name in delete { out += ":"; out += name; out += " - [0:0]\n" }
        for chain in rewrite {
            for rule in chain.rules { out += "-A "; out += chain.name; out += " "; out += rule; out += "\n" }
        }
        for name in delete { out += "-X "; out += name; out += "\n" }
        out += "COMMIT\n"
    }
}
