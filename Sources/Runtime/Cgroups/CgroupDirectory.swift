#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Operations on one cgroup directory that v1 and v2 share: creating its levels, listing and
/// signalling its processes, and removing it with its children.
enum CgroupDirectory {
    /// mkdir -p of `mountPoint + path`: the leaf first, parents only on ENOENT, so the
    /// common case (parent exists) is one mkdir.
    static func create(mountPoint: String, path: CgroupPath) throws {
        let levels = path.levels.map { mountPoint + $0 }
        let leaf = levels.count - 1
        // Walk up from the leaf while the parent is missing.
        var i = leaf
        while true {
            if mkdir(levels[i], 0o755) == 0 { break }
            let err = errno
            if err == EEXIST && CgroupFile.isDirectory(levels[i]) {
                if i == leaf { return }
                break  // another creator won the race for this level
            }
            if err == ENOENT && i > 0 {
                i -= 1
                continue
            }
            throw CgroupError.system(operation: "mkdir", path: levels[i], errno: err)
        }
        // Then back down, creating each level below.
        for j in stride(from: i + 1, through: leaf, by: 1) {
            try CgroupFile.makeDirectory(levels[j])
        }
    }

    static func processes(_ dir: String) throws -> [pid_t] {
        CgroupValues.pids(in: try CgroupFile.read(dir + "/cgroup.procs"))
    }

    /// Sends `signal` to every process listed; a process that exited meanwhile is fine.
    static func signalEach(_ pids: [pid_t], signal: Int32, dir: String) throws {
        for pid in pids where kill(pid, signal) != 0 {
            let err = errno
            if err != ESRCH {
                throw CgroupError.system(operation: "kill \(pid) in", path: dir, errno: err)
            }
        }
    }

    /// Signals until the cgroup is empty (for SIGKILL without cgroup.kill or a freezer), so
    /// a process forked during the sweep is caught on the next pass.
    static func killUntilEmpty(_ dirs: [String], signal: Int32) throws {
        for _ in 0..<50 {
            var any = false
            for dir in dirs where CgroupFile.isDirectory(dir) {
                let pids = try processes(dir)
                if !pids.isEmpty { any = true }
                try signalEach(pids, signal: signal, dir: dir)
            }
            if !any || signal != SIGKILL { return }
            usleep(2_000)
        }
    }

    /// Removes `dir` and its child cgroups, deepest first, retrying on EBUSY while exiting
    /// processes leave (up to about a second). An absent directory is fine.
    static func remove(_ dir: String) throws {
        var delay: useconds_t = 1_000
        var waited: useconds_t = 0
        while true {
            if rmdir(dir) == 0 { return }
            let err = errno
            switch err {
            case ENOENT:
                return
            case EBUSY, ENOTEMPTY:
                for child in (try? CgroupFile.subdirectories(dir)) ?? [] {
                    try remove(dir + "/" + child)
                }
                if waited >= 1_000_000 {
                    throw CgroupError.system(operation: "rmdir", path: dir, errno: err)
                }
                usleep(delay)
                waited += delay
                delay = min(delay * 2, 100_000)
            case EINTR:
                continue
            default:
                throw CgroupError.system(operation: "rmdir", path: dir, errno: err)
            }
        }
    }
}
