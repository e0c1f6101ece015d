#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One file write a manager makes inside the container's cgroup directory.
struct CgroupWrite: Equatable, Sendable {
    /// The controller whose hierarchy (v1) or whose enablement (v2) the file needs.
    var controller: String
    var file: String
    var value: String
}

/// Pure conversions from `CgroupResources` to the text cgroupfs files take, for v1 and v2.
/// No I/O: managers plan with these, then write.
public enum CgroupValues {
    /// runc's shares -> cpu.weight mapping: [2, 262144] onto [1, 10000].
    public static func cpuWeight(fromShares shares: UInt64) -> UInt64 {
        let clamped = min(max(shares, 2), 262_144)
        return 1 + ((clamped - 2) * 9999) / 262_142
    }

    /// The v2 `cpu.max` line: "QUOTA PERIOD", "max PERIOD", or "max" (quota <= 0 or unset);
    /// nil when neither is set.
    public static func cpuMax(quota: Int64?, period: UInt64?) -> String? {
        if quota == nil && period == nil { return nil }
        var text = "max"
        if let quota, quota > 0 { text = String(quota) }
        if let period, period > 0 { text += " \(period)" }
        return text
    }

    /// `memory.max`: bytes, or "max" for any negative value (-1 = unlimited).
    public static func memoryMax(_ bytes: Int64) -> String {
        bytes < 0 ? "max" : String(bytes)
    }

    /// `pids.max` (v1 and v2): the count, or "max" when <= 0.
    public static func pidsMax(_ limit: Int64) -> String {
        limit <= 0 ? "max" : String(limit)
    }

    /// v1 `memory.limit_in_bytes` / `memsw.limit_in_bytes`: the kernel takes -1 for unlimited.
    public static func v1MemoryLimit(_ bytes: Int64) -> String {
        bytes < 0 ? "-1" : String(bytes)
    }

    /// v2 `memory.swap.max` from OCI's memory+swap total, as runc converts it: swap alone is
    /// total - memory; -1 is unlimited; unset stays unset unless memory is unlimited.
    public static func swapMax(memoryLimit: Int64?, memorySwap: Int64?) throws -> String? {
        let memory = memoryLimit ?? 0
        let swap = memorySwap ?? 0
        if memory == -1 && swap == 0 { return "max" }
        if swap == 0 { return nil }
        if swap < 0 { return "max" }
        if memory <= 0 {
            throw CgroupError.invalidResource(
                field: "memorySwap", reason: "a swap limit needs a memory limit")
        }
        if swap < memory {
            throw CgroupError.invalidResource(
                field: "memorySwap",
                reason: "memory+swap limit \(swap) is below the memory limit \(memory)")
        }
        return String(swap - memory)
    }

    /// The writes v1 needs, except memory (whose order depends on the current limit; see
    /// `v1MemoryWrites`). Period goes before quota: the kernel checks quota against it.
    static func v1Writes(_ r: CgroupResources) throws -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        for rule in r.devices ?? [] {
            try rule.validate()
            writes.append(.init(
                controller: "devices", file: rule.allow ? "devices.allow" : "devices.deny", value: rule.v1Line))
        }
        if let cpus = r.cpusetCpus { writes.append(.init(controller: "cpuset", file: "cpuset.cpus", value: cpus)) }
        if let mems = r.cpusetMems { writes.append(.init(controller: "cpuset", file: "cpuset.mems", value: mems)) }
        if let shares = r.cpuShares, shares != 0 {
            writes.append(.init(controller: "cpu", file: "cpu.shares", value: String(shares)))
        }
        if let period = r.cpuPeriod, period != 0 {
            writes.append(.init(controller: "cpu", file: "cpu.cfs_period_us", value: String(period)))
        }
        if let quota = r.cpuQuota, quota != 0 {
            writes.append(.init(controller: "cpu", file: "cpu.cfs_quota_us", value: quota < 0 ? "-1" : String(quota)))
        }
        if let pids = r.pidsLimit {
            writes.append(.init(controller: "pids", file: "pids.max", value: pidsMax(pids)))
        }
        if let reservation = r.memoryReservation, reservation != 0 {
            writes.append(.init(controller: "memory", file: "memory.soft_limit_in_bytes", value: v1MemoryLimit(reservation)))
        }
        if let swappiness = r.memorySwappiness {
            guard swappiness <= 100 else {
                throw CgroupError.invalidResource(field: "memorySwappiness", reason: "\(swappiness) is out of 0...100")
            }
            writes.append(.init(controller: "memory", file: "memory.swappiness", value: String(swappiness)))
        }
        if r.disableOOMKiller == true {
            writes.append(.init(controller: "memory", file: "memory.oom_control", value: "1"))
        }
        for (size, limit) in (r.hugepageLimits ?? [:]).sorted(by: { $0.key < $1.key }) {
            writes.append(.init(controller: "hugetlb", file: "hugetlb.\(size).limit_in_bytes", value: String(limit)))
        }
        if let unified = r.unified, !unified.isEmpty {
            throw CgroupError.invalidResource(field: "unified", reason: "cgroup v2 files cannot be set on a cgroup v1 host")
        }
        return writes
    }

    /// runc's blkio weight -> v2 io.weight mapping: [10, 1000] onto [1, 10000].
    public static func ioWeight(fromBlkioWeight weight: UInt16) -> UInt64 {
        1 + (UInt64(max(weight, 10)) - 10) * 9999 / 990
    }

    /// v1 memory writes in an order the kernel accepts (memsw must stay >= memory): raising
    /// swap above the current memory limit writes memsw first, as runc does. memsw is written
    /// only when the kernel has swap accounting (`hasMemsw`).
    static func v1MemoryWrites(
        _ r: CgroupResources, currentMemoryLimit: Int64?, hasMemsw: Bool
    ) -> [CgroupWrite] {
        let memory = r.memoryLimit ?? 0
        var swap = hasMemsw ? (r.memorySwap ?? 0) : 0
        if hasMemsw && memory == -1 && swap == 0 { swap = -1 }
        let memoryWrite = CgroupWrite(
            controller: "memory", file: "memory.limit_in_bytes", value: v1MemoryLimit(memory))
        let swapWrite = CgroupWrite(
            controller: "memory", file: "memory.memsw.limit_in_bytes", value: v1MemoryLimit(swap))
        switch (memory != 0, swap != 0) {
        case (false, false): return []
        case (true, false): return [memoryWrite]
        case (false, true): return [swapWrite]
        case (true, true):
            if swap < 0 || (currentMemoryLimit ?? Int64.max) < swap {
                return [swapWrite, memoryWrite]
            }
            return [memoryWrite, swapWrite]
        }
    }

    /// The writes v2 needs; the controllers they name must be enabled in every ancestor.
    static func v2Writes(_ r: CgroupResources) throws -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        if let cpus = r.cpusetCpus { writes.append(.init(controller: "cpuset", file: "cpuset.cpus", value: cpus)) }
        if let mems = r.cpusetMems { writes.append(.init(controller: "cpuset", file: "cpuset.mems", value: mems)) }
        if let shares = r.cpuShares, shares != 0 {
            writes.append(.init(controller: "cpu", file: "cpu.weight", value: String(cpuWeight(fromShares: shares))))
        }
        if let max = cpuMax(quota: r.cpuQuota, period: r.cpuPeriod) {
            writes.append(.init(controller: "cpu", file: "cpu.max", value: max))
        }
        if let swap = try swapMax(memoryLimit: r.memoryLimit, memorySwap: r.memorySwap) {
            writes.append(.init(controller: "memory", file: "memory.swap.max", value: swap))
        }
        if let memory = r.memoryLimit, memory != 0 {
            writes.append(.init(controller: "memory", file: "memory.max", value: memoryMax(memory)))
        }
        if let pids = r.pidsLimit {
            writes.append(.init(controller: "pids", file: "pids.max", value: pidsMax(pids)))
        }
        // As runc's fs2: the reservation is memory.low (-1 = max).
        if let reservation = r.memoryReservation, reservation != 0 {
            writes.append(.init(controller: "memory", file: "memory.low", value: memoryMax(reservation)))
        }
        if r.memorySwappiness != nil {
            throw CgroupError.invalidResource(field: "memorySwappiness", reason: "cgroup v2 has no swappiness")
        }
        if r.disableOOMKiller == true {
            throw CgroupError.invalidResource(field: "disableOOMKiller", reason: "cgroup v2 cannot disable the OOM killer")
        }
        for (size, limit) in (r.hugepageLimits ?? [:]).sorted(by: { $0.key < $1.key }) {
            writes.append(.init(controller: "hugetlb", file: "hugetlb.\(size).max", value: String(limit)))
        }
        for (file, value) in (r.unified ?? [:]).sorted(by: { $0.key < $1.key }) {
            let controller = String(file.prefix { $0 != "." })
            writes.append(.init(controller: controller, file: file, value: value))
        }
        return writes
    }

    /// The value of `key` in a flat keyed file ("key value" lines: memory.events,
    /// memory.oom_control, cgroup.events).
    static func keyedValue(_ key: String, in text: String) -> UInt64? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2 && fields[0] == key { return UInt64(fields[1]) }
        }
        return nil
    }

    /// The PIDs listed in cgroup.procs.
    static func pids(in procs: String) -> [pid_t] {
        procs.split(whereSeparator: { $0 == "\n" || $0 == " " }).compactMap { pid_t($0) }
    }
}
