import Foundation

/// A cgroup's cumulative CPU time and memory working set at one instant, read as cAdvisor
/// reads them for metrics-server: v1 `cpuacct.usage`, v2 `cpu.stat` usage_usec; the working
/// set is usage minus inactive file pages (v1 `total_inactive_file`, v2 `inactive_file`).
struct CgroupUsage: Equatable, Sendable {
    var cpuNanoseconds: UInt64
    var workingSetBytes: Int64

    /// From a v1 cgroup's `cpuacct.usage`, `memory.usage_in_bytes` and `memory.stat`.
    static func v1(cpuacctUsage: String, memoryUsage: String, memoryStat: String) -> CgroupUsage? {
        guard let cpu = UInt64(cpuacctUsage.trimmingCharacters(in: .whitespacesAndNewlines)),
              let usage = Int64(memoryUsage.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        let stat = statFields(memoryStat)
        return CgroupUsage(cpuNanoseconds: cpu, workingSetBytes: workingSet(usage: usage, inactiveFile: stat["total_inactive_file"] ?? stat["inactive_file"]))
    }

    /// From a v2 cgroup's `cpu.stat`, `memory.current` and `memory.stat`.
    static func v2(cpuStat: String, memoryCurrent: String, memoryStat: String) -> CgroupUsage? {
        guard let usec = statFields(cpuStat)["usage_usec"],
              let usage = Int64(memoryCurrent.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return CgroupUsage(cpuNanoseconds: UInt64(max(usec, 0)) * 1000, workingSetBytes: workingSet(usage: usage, inactiveFile: statFields(memoryStat)["inactive_file"]))
    }

    /// cAdvisor's working set: usage less inactive file pages, never below zero.
    static func workingSet(usage: Int64, inactiveFile: Int64?) -> Int64 {
        max(usage - min(inactiveFile ?? 0, usage), 0)
    }

    /// `key value` lines (memory.stat, cpu.stat).
    static func statFields(_ text: String) -> [String: Int64] {
        var fields: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Int64(parts[1]) { fields[String(parts[0])] = value }
        }
        return fields
    }

    /// The CPU rate in nanocores between two samples `seconds` apart; nil when the
    /// counter went back (the cgroup was recreated) or no time passed.
    static func cpuRate(from old: CgroupUsage, to new: CgroupUsage, seconds: TimeInterval) -> Int64? {
        guard seconds > 0, new.cpuNanoseconds >= old.cpuNanoseconds else { return nil }
        return Int64((Double(new.cpuNanoseconds - old.cpuNanoseconds) / seconds).rounded())
    }
}
