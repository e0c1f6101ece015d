#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How the cgroup filesystem is mounted: v1 controllers, one v2 tree, or v1 controllers plus
/// a v2 tree (usually without controllers) at `<root>/unified`.
public enum CgroupLayout: String, Sendable {
    case v1, v2, hybrid
}

/// One container's cgroup, at the same absolute path in every hierarchy the layout has.
/// Chosen by `Cgroups.manager(path:root:)` from the detected layout.
public protocol CgroupManager: Sendable {
    /// Absolute, e.g. "/swiftlet/ctr1".
    var path: String { get }
    /// mkdir -p in every hierarchy used (and, on v2, enables the controllers on the way).
    func create() throws
    func apply(_ resources: CgroupResources) throws
    /// Moves the process into the cgroup in every hierarchy.
    func addProcess(_ pid: pid_t) throws
    func processes() throws -> [pid_t]
    /// The number of OOM kills in the cgroup (0 without a memory controller).
    func oomKillCount() throws -> UInt64
    /// Peak memory use in bytes, when the kernel keeps it.
    func memoryPeak() throws -> UInt64?
    /// Signals every process in the cgroup (v2 and hybrid: `cgroup.kill` for SIGKILL).
    func killAll(signal: Int32) throws
    /// The `cgroup.procs` file of every hierarchy used: a process joins the cgroup by
    /// writing "0" to each (the container child does, before it unshares its cgroup namespace).
    var procsFiles: [String] { get }
    /// The v1 hierarchies' `tasks` files. A single-threaded process joins by writing "0"
    /// there: moving one thread (itself) skips the global threadgroup lock, whose write
    /// side costs an RCU grace period (~10 ms) per `cgroup.procs` migration.
    var threadJoinFiles: [String] { get }
    /// The cgroup2 directory (v2, or the hybrid unified tree): processes are cloned
    /// straight into it with CLONE_INTO_CGROUP, which needs no migration at all.
    var unifiedDirectory: String? { get }
    /// The freezer `pause` and `resume` drive: v1's freezer hierarchy, else the cgroup2
    /// directory (v2, or hybrid without a v1 freezer); nil when neither is there.
    var freezer: CgroupFreezer? { get }
    /// rmdir in every hierarchy (child cgroups first), retrying briefly on EBUSY; absent is fine.
    func destroy() throws
}

/// Layout detection and the manager factory.
public enum Cgroups {
    /// The layout of the cgroup mount at `root`.
    public static func detectLayout(root: String = "/sys/fs/cgroup") throws -> CgroupLayout {
        try CgroupHierarchy.discover(root: root).layout
    }

    /// A manager for the cgroup at the absolute `path` in the hierarchies mounted at `root`.
    /// Nothing is created until `create()`.
    public static func manager(path: String, root: String = "/sys/fs/cgroup") throws -> CgroupManager {
        let cgroupPath = try CgroupPath(path)
        let found = try CgroupHierarchy.discover(root: root)
        switch found.layout {
        case .v2:
            return CgroupV2Manager(path: cgroupPath, mountPoint: found.unified!.mountPoint)
        case .v1, .hybrid:
            return CgroupV1Manager(path: cgroupPath, hierarchies: found.v1, unified: found.unified)
        }
    }
}
