#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The freezer of one cgroup directory: v1's `freezer.state` (FROZEN/THAWED, FREEZING on the
/// way) or v2's `cgroup.freeze` with `frozen 1` in `cgroup.events`, as runc's fs and fs2
/// freezers drive them. What `pause` and `resume` use.
public enum CgroupFreezer: Sendable {
    case v1(directory: String)
    case v2(directory: String)

    /// Freezes or thaws, and returns once the kernel reports it done. A freeze that does not
    /// complete (a task stuck in an uninterruptible sleep) is undone and reported, as runc does.
    public func set(frozen: Bool) throws {
        switch self {
        case .v1(let dir):
            let file = dir + "/freezer.state"
            let wanted = frozen ? "FROZEN" : "THAWED"
            for _ in 0..<1000 {
                // FREEZING can stay if tasks fork meanwhile: writing again retries the walk.
                try CgroupFile.write(file, wanted)
                if try CgroupFile.readIfPresent(file) == wanted { return }
                usleep(1_000)
            }
            if frozen { try? CgroupFile.write(file, "THAWED") }
            throw CgroupError.system(operation: frozen ? "freeze" : "thaw", path: dir, errno: ETIMEDOUT)
        case .v2(let dir):
            try CgroupFile.write(dir + "/cgroup.freeze", frozen ? "1" : "0")
            for _ in 0..<2000 {
                let events = try CgroupFile.readIfPresent(dir + "/cgroup.events") ?? ""
                // Without the key (old kernels) the write itself is all there is to wait for.
                guard let state = CgroupValues.keyedValue("frozen", in: events) else { return }
                if (state == 1) == frozen { return }
                usleep(1_000)
            }
            if frozen { try? CgroupFile.write(dir + "/cgroup.freeze", "0") }
            throw CgroupError.system(operation: frozen ? "freeze" : "thaw", path: dir, errno: ETIMEDOUT)
        }
    }

    /// Whether the cgroup is frozen (a missing directory is not).
    public func isFrozen() throws -> Bool {
        switch self {
        case .v1(let dir):
            return try CgroupFile.readIfPresent(dir + "/freezer.state") == "FROZEN"
        case .v2(let dir):
            return try CgroupFile.readIfPresent(dir + "/cgroup.freeze") == "1"
        }
    }
}
