/// The resource limits of one container's cgroup, in OCI `linux.resources` terms (cgroup v1
/// units); each manager translates them to its hierarchy's files. nil leaves a value untouched.
public struct CgroupResources: Sendable, Equatable, Codable {
    /// Bytes; -1 = unlimited.
    public var memoryLimit: Int64?
    /// Memory plus swap, in bytes (v1 `memory.memsw.limit_in_bytes`); -1 = unlimited.
    public var memorySwap: Int64?
    /// v1 shares (2...262144); converted to `cpu.weight` on v2 like runc.
    public var cpuShares: UInt64?
    /// Microseconds per period; -1 = unlimited.
    public var cpuQuota: Int64?
    /// Microseconds.
    public var cpuPeriod: UInt64?
    public var cpusetCpus: String?
    public var cpusetMems: String?
    /// <= 0 = unlimited.
    public var pidsLimit: Int64?
    /// Device rules applied in order (OCI: usually deny all, then allow a list). v1 and
    /// hybrid only: v2 device control needs an eBPF program, which managers do not load.
    public var devices: [CgroupDeviceRule]?
    /// Soft limit in bytes (v1 memory.soft_limit_in_bytes, v2 memory.low); -1 = none.
    public var memoryReservation: Int64?
    /// v1 memory.swappiness, 0...100; cgroup v2 has none.
    public var memorySwappiness: UInt64?
    /// v1 memory.oom_control; cgroup v2 has none.
    public var disableOOMKiller: Bool?
    /// 10...1000: v1 blkio(.bfq).weight, v2 io(.bfq).weight.
    public var blkioWeight: UInt16?
    /// Huge page limits in bytes by page size ("2MB").
    public var hugepageLimits: [String: UInt64]?
    /// cgroup v2 files to write as they are (OCI `unified`); refused on v1.
    public var unified: [String: String]?

    public init(
        memoryLimit: Int64? = nil,
        memorySwap: Int64? = nil,
        cpuShares: UInt64? = nil,
        cpuQuota: Int64? = nil,
        cpuPeriod: UInt64? = nil,
        cpusetCpus: String? = nil,
        cpusetMems: String? = nil,
        pidsLimit: Int64? = nil,
        devices: [CgroupDeviceRule]? = nil,
        memoryReservation: Int64? = nil,
        memorySwappiness: UInt64? = nil,
        disableOOMKiller: Bool? = nil,
        blkioWeight: UInt16? = nil,
        hugepageLimits: [String: UInt64]? = nil,
        unified: [String: String]? = nil
    ) {
        self.memoryReservation = memoryReservation
        self.memorySwappiness = memorySwappiness
        self.disableOOMKiller = disableOOMKiller
        self.blkioWeight = blkioWeight
        self.hugepageLimits = hugepageLimits
        self.unified = unified
        self.memoryLimit = memoryLimit
        self.memorySwap = memorySwap
        self.cpuShares = cpuShares
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.cpusetCpus = cpusetCpus
        self.cpusetMems = cpusetMems
        self.pidsLimit = pidsLimit
        self.devices = devices
    }
}
