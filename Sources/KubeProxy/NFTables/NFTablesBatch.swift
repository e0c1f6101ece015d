import CNetlink
import NetAddress

#if canImport(Glibc)
import Glibc
#endif

/// An nf_tables transaction over netlink (CRuntimeShim's libnftnl batch): plan operations are
/// lowered to nf_tables expressions here and committed in one sendmsg.
final class NFTablesBatch {
    private let batch: OpaquePointer

    init() throws {
        guard let batch = crs_nft_batch_new(crs_nft_family_ipv4, NFTablesRuleset.tableName) else {
            throw ProxyError("nftables: cannot start a batch: \(String(cString: strerror(errno)))")
        }
        self.batch = batch
    }

    deinit { crs_nft_batch_free(batch) }

    var messages: Int { crs_nft_batch_messages(batch) }

    /// Queues every step of `plan`, table by table, in its order.
    func add(_ plan: NFTablesPlan) throws {
        for table in plan.tables { try add(table) }
    }

    private func add(_ plan: NFTTablePlan) throws {
        try use(plan.table)
        if plan.deleteTable || plan.recreateTable { try deleteTable() }
        if plan.recreateTable { try check(crs_nft_table_add(batch), "add table") }
        for name in plan.flushChains { try check(crs_nft_chain_flush(batch, name), "flush chain \(name)") }
        for element in plan.deleteElements { try setElement(element, add: false) }
        for name in plan.deleteSets { try check(crs_nft_set_delete(batch, name), "delete set \(name)") }
        for name in plan.deleteChains { try check(crs_nft_chain_delete(batch, name), "delete chain \(name)") }
        for set in plan.addSets { try addSet(set) }
        for chain in plan.addChains { try addChain(chain) }
        for chain in plan.fillChains {
            for rule in chain.rules { try addRule(rule, to: chain.name) }
        }
        for element in plan.addElements { try setElement(element, add: true) }
    }

    /// Queues the deletion of each table; creating it first makes that succeed when absent.
    func deleteTables(_ names: [String]) throws {
        for name in names {
            try use(name)
            try deleteTable()
        }
    }

    private func use(_ table: String) throws {
        try check(crs_nft_batch_use_table(batch, table), "select table ip \(table)")
    }

    private func deleteTable() throws {
        try check(crs_nft_table_add(batch), "add table")
        try check(crs_nft_table_delete(batch), "delete table")
    }

    /// Sends the transaction; throws the kernel's first error, naming the failing table and
    /// object.
    func commit(networkNamespaceFD: Int32) throws {
        var message = [CChar](repeating: 0, count: 512)
        if crs_nft_batch_commit(batch, networkNamespaceFD, &message, message.count) != 0 {
            let detail = message[0] != 0 ? String(cString: message) : String(cString: strerror(errno))
            throw ProxyError("nftables: \(detail)")
        }
    }

    private func check(_ rc: Int32, _ what: @autoclosure () -> String) throws {
        if rc != 0 { throw ProxyError("nftables: \(what()): \(String(cString: strerror(errno)))") }
    }

    private func addSet(_ set: NFTSet) throws {
        var flags: UInt32 = set.isVerdictMap ? crs_nft_set_map : 0
        if set.timeoutSeconds != nil { flags |= crs_nft_set_timeout | crs_nft_set_eval }
        try check(crs_nft_set_add(batch, set.name, flags, set.key.typeID, set.key.length,
                                  set.isVerdictMap ? crs_nft_data_verdict : 0, set.isVerdictMap ? 16 : 0,
                                  UInt64(set.timeoutSeconds ?? 0) * 1000), "add set \(set.name)")
    }

    private func addChain(_ chain: NFTChain) throws {
        if let hook = chain.hook {
            try check(crs_nft_chain_add(batch, chain.name, hook.point.number, Int32(hook.priority), hook.type), "add chain \(chain.name)")
        } else {
            try check(crs_nft_chain_add(batch, chain.name, -1, 0, nil), "add chain \(chain.name)")
        }
    }

    private func setElement(_ element: NFTElement, add: Bool) throws {
        let key = element.key.bytes
        try check(key.withUnsafeBytes {
            crs_nft_set_elem(batch, element.map, add ? 1 : 0, $0.baseAddress, UInt32($0.count), crs_nft_goto, element.goto)
        }, "\(add ? "add" : "delete") element of \(element.map)")
    }

    // Registers: single values go to the first 32-bit register; concatenations fill 8, 9, 10.
    private var r0: UInt32 { crs_nft_reg32_00 }

    private func addRule(_ rule: NFTRule, to chain: String) throws {
        try check(crs_nft_rule_begin(batch, chain), "add rule to \(chain)")
        for statement in rule.statements { try lower(statement, chain: chain) }
        try check(crs_nft_rule_end(batch), "add rule to \(chain)")
    }

    private func lower(_ statement: NFTStatement, chain: String) throws {
        var ok = true
        func run(_ rc: Int32) { if rc != 0 { ok = false } }
        switch statement {
        case .destination(let address, let prefix, let negated):
            loadAddress(offset: 16, address: address, prefix: prefix, negated: negated, run)
        case .source(let address, let prefix, let negated):
            loadAddress(offset: 12, address: address, prefix: prefix, negated: negated, run)
        case .l4proto(let proto):
            run(crs_nft_expr_meta_load(batch, crs_nft_meta_l4proto, r0))
            run(cmp(crs_nft_cmp_eq, [proto.number]))
        case .destinationPort(let port):
            run(crs_nft_expr_payload(batch, crs_nft_payload_transport, 2, 2, r0))
            run(cmp(crs_nft_cmp_eq, [UInt8(port >> 8), UInt8(port & 255)]))
        case .ctStateNew:
            run(crs_nft_expr_ct_load(batch, crs_nft_ct_state, r0))
            run(bitwise(mask: host(crs_nft_ct_state_new), xor: host(0)))
            run(cmp(crs_nft_cmp_neq, host(0)))
        case .destinationIsLocal:
            run(crs_nft_expr_fib(batch, crs_nft_fib_daddr_type_flags, crs_nft_fib_result_addrtype, r0))
            run(cmp(crs_nft_cmp_eq, host(crs_nft_rtn_local)))
        case .randomOneIn(let n):
            run(crs_nft_expr_numgen_random(batch, r0, UInt32(n)))
            run(cmp(crs_nft_cmp_eq, host(0)))
        case .markMasked(let mask, let isZero):
            run(crs_nft_expr_meta_load(batch, crs_nft_meta_mark, r0))
            run(bitwise(mask: host(mask), xor: host(0)))
            run(cmp(isZero ? crs_nft_cmp_eq : crs_nft_cmp_neq, host(0)))
        case .markOr(let bits):
            run(crs_nft_expr_meta_load(batch, crs_nft_meta_mark, r0))
            run(bitwise(mask: host(~bits), xor: host(bits)))
            run(crs_nft_expr_meta_set(batch, crs_nft_meta_mark, r0))
        case .markXor(let bits):
            run(crs_nft_expr_meta_load(batch, crs_nft_meta_mark, r0))
            run(bitwise(mask: host(0xFFFF_FFFF), xor: host(bits)))
            run(crs_nft_expr_meta_set(batch, crs_nft_meta_mark, r0))
        case .verdictMap(let key, let map):
            switch key {
            case .addressProtocolPort:
                run(crs_nft_expr_payload(batch, crs_nft_payload_network, 16, 4, r0))
                run(crs_nft_expr_meta_load(batch, crs_nft_meta_l4proto, r0 + 1))
                run(crs_nft_expr_payload(batch, crs_nft_payload_transport, 2, 2, r0 + 2))
            case .protocolPort:
                run(crs_nft_expr_meta_load(batch, crs_nft_meta_l4proto, r0))
                run(crs_nft_expr_payload(batch, crs_nft_payload_transport, 2, 2, r0 + 1))
            case .address:
                run(crs_nft_expr_payload(batch, crs_nft_payload_network, 16, 4, r0))
            }
            run(crs_nft_expr_lookup(batch, map, r0, Int32(crs_nft_reg_verdict)))
        case .sourceInSet(let set):
            run(crs_nft_expr_payload(batch, crs_nft_payload_network, 12, 4, r0))
            run(crs_nft_expr_lookup(batch, set, r0, -1))
        case .updateSourceInSet(let set):
            run(crs_nft_expr_payload(batch, crs_nft_payload_network, 12, 4, r0))
            run(crs_nft_expr_dynset(batch, set, r0, crs_nft_dynset_update, 0))
        case .jump(let target): run(crs_nft_expr_verdict(batch, crs_nft_jump, target))
        case .goto(let target): run(crs_nft_expr_verdict(batch, crs_nft_goto, target))
        case .return: run(crs_nft_expr_verdict(batch, crs_nft_return, nil))
        case .reject: run(crs_nft_expr_reject(batch))
        case .dnat(let address, let port):
            run(immediate(r0, bigEndian(address)))
            run(immediate(r0 + 1, [UInt8(port >> 8), UInt8(port & 255)]))
            run(crs_nft_expr_nat(batch, crs_nft_nat_dnat, r0, r0 + 1, 0))
        case .masquerade(let randomFully):
            run(crs_nft_expr_masq(batch, randomFully ? crs_nft_nat_random_fully : 0))
        }
        if !ok { throw ProxyError("nftables: rule in \(chain): \(statement.nftText): \(String(cString: strerror(errno)))") }
    }

    private func loadAddress(offset: UInt32, address: UInt32, prefix: Int, negated: Bool, _ run: (Int32) -> Void) {
        run(crs_nft_expr_payload(batch, crs_nft_payload_network, offset, 4, r0))
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
        if prefix < 32 { run(bitwise(mask: bigEndian(mask), xor: [0, 0, 0, 0])) }
        run(cmp(negated ? crs_nft_cmp_neq : crs_nft_cmp_eq, bigEndian(address & mask)))
    }

    private func cmp(_ op: UInt32, _ data: [UInt8]) -> Int32 {
        data.withUnsafeBytes { crs_nft_expr_cmp(batch, r0, op, $0.baseAddress, UInt32($0.count)) }
    }

    private func bitwise(mask: [UInt8], xor: [UInt8]) -> Int32 {
        mask.withUnsafeBytes { m in
            xor.withUnsafeBytes { x in crs_nft_expr_bitwise(batch, r0, r0, UInt32(m.count), m.baseAddress, x.baseAddress) }
        }
    }

    private func immediate(_ register: UInt32, _ data: [UInt8]) -> Int32 {
        data.withUnsafeBytes { crs_nft_expr_immediate(batch, register, $0.baseAddress, UInt32($0.count)) }
    }
}

/// A 32-bit value in the kernel's host order (marks, ct state bits, fib results, numgen).
private func host(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }

/// A 32-bit value in network order (addresses).
private func bigEndian(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

extension ServiceProtocol {
    /// The IP protocol number (`meta l4proto`).
    var number: UInt8 {
        switch self {
        case .tcp: return 6
        case .udp: return 17
        case .sctp: return 132
        }
    }
}

extension NFTSet.Key {
    /// nft's datatype id of the key (concatenations shift each part by 6 bits), which
    /// `nft list` uses to print the elements.
    var typeID: UInt32 {
        let ipv4Addr: UInt32 = 7, inetProto: UInt32 = 12, inetService: UInt32 = 13
        switch self {
        case .addressProtocolPort: return ((ipv4Addr << 6) | inetProto) << 6 | inetService
        case .protocolPort: return (inetProto << 6) | inetService
        case .address: return ipv4Addr
        }
    }

    /// Key length: each concatenated field takes a whole 32-bit register.
    var length: UInt32 {
        switch self {
        case .addressProtocolPort: return 12
        case .protocolPort: return 8
        case .address: return 4
        }
    }
}

extension NFTElement.Key {
    /// The key as the kernel compares it: network-order fields, each padded to 4 bytes.
    var bytes: [UInt8] {
        switch self {
        case .addressProtocolPort(let address, let proto, let port):
            return IPv4Address(address).bytes + [proto.number, 0, 0, 0, UInt8(port >> 8), UInt8(port & 255), 0, 0]
        case .protocolPort(let proto, let port):
            return [proto.number, 0, 0, 0, UInt8(port >> 8), UInt8(port & 255), 0, 0]
        }
    }
}

extension NFTChain.Hook.Point {
    var number: Int32 {
        switch self {
        case .prerouting: return Int32(crs_nft_hook_prerouting)
        case .input: return Int32(crs_nft_hook_input)
        case .forward: return Int32(crs_nft_hook_forward)
        case .output: return Int32(crs_nft_hook_output)
        case .postrouting: return Int32(crs_nft_hook_postrouting)
        }
    }
}
