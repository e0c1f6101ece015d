#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// cgroup v1 (and hybrid): the same path in every mounted v1 hierarchy, controllers and
/// named ones alike, plus the v2 tree when one is mounted beside them (hybrid), as runc does,
/// so /proc/PID/cgroup's `0::` line names the container too.
struct CgroupV1Manager: CgroupManager {
    let cgroupPath: CgroupPath
    let hierarchies: [CgroupHierarchy]
    let unified: CgroupHierarchy?

    init(path: CgroupPath, hierarchies: [CgroupHierarchy], unified: CgroupHierarchy?) {
        self.cgroupPath = path
        self.hierarchies = hierarchies
        self.unified = unified
    }

    var path: String { cgroupPath.description }

    /// Every directory this cgroup has, one per hierarchy.
    var directories: [String] {
        (hierarchies + (unified.map { [$0] } ?? [])).map { $0.mountPoint + path }
    }

    /// The directory in the hierarchy that holds `controller`, if mounted.
    func directory(for controller: String) -> String? {
        hierarchies.first { $0.controllers.contains(controller) }.map { $0.mountPoint + path }
    }

    var procsFiles: [String] { directories.map { $0 + "/cgroup.procs" } }
    var threadJoinFiles: [String] { hierarchies.map { $0.mountPoint + path + "/tasks" } }
    var unifiedDirectory: String? { unified.map { $0.mountPoint + path } }

    var freezer: CgroupFreezer? {
        if let dir = directory(for: "freezer") { return .v1(directory: dir) }
        return unifiedDirectory.map { .v2(directory: $0) }
    }

    func create() throws {
        for hierarchy in hierarchies {
            try CgroupDirectory.create(mountPoint: hierarchy.mountPoint, path: cgroupPath)
            if hierarchy.controllers.contains("cpuset") {
                try inheritCpuset(mountPoint: hierarchy.mountPoint)
            }
        }
        if let unified {
            try CgroupDirectory.create(mountPoint: unified.mountPoint, path: cgroupPath)
        }
    }

    func apply(_ resources: CgroupResources) throws {
        var writes = try CgroupValues.v1Writes(resources)
        if resources.memoryLimit != nil || resources.memorySwap != nil {
            let dir = try requireDirectory(for: "memory", field: "memoryLimit")
            let hasMemsw = CgroupFile.exists(dir + "/memory.memsw.limit_in_bytes")
            let current = try CgroupFile.readIfPresent(dir + "/memory.limit_in_bytes").flatMap { Int64($0) }
            writes += CgroupValues.v1MemoryWrites(resources, currentMemoryLimit: current, hasMemsw: hasMemsw)
        }
        if let weight = resources.blkioWeight {
            // runc's choice: the BFQ file where the kernel has it, else CFQ's.
            let dir = try requireDirectory(for: "blkio", field: "blkioWeight")
            guard let file = ["blkio.bfq.weight", "blkio.weight"].first(where: { CgroupFile.exists(dir + "/" + $0) }) else {
                throw CgroupError.invalidResource(
                    field: "blkioWeight", reason: "this host's blkio controller has no weight (no BFQ or CFQ I/O scheduler)")
            }
            writes.append(CgroupWrite(controller: "blkio", file: file, value: String(weight)))
        }
        for write in writes {
            let dir = try requireDirectory(for: write.controller, field: write.file)
            let file = dir + "/" + write.file
            // A knob this kernel lacks (memory.swappiness on a kernel without it, a huge
            // page size it does not have) is an error naming the field, not a silent skip.
            guard CgroupFile.exists(file) else {
                throw CgroupError.invalidResource(field: write.file, reason: "not available on this host (\(file) does not exist)")
            }
            try CgroupFile.write(file, write.value)
        }
    }

    func addProcess(_ pid: pid_t) throws {
        for dir in directories {
            try CgroupFile.write(dir + "/cgroup.procs", String(pid))
        }
    }

    func processes() throws -> [pid_t] {
        var all: Set<pid_t> = []
        for dir in directories where CgroupFile.isDirectory(dir) {
            all.formUnion(try CgroupDirectory.processes(dir))
        }
        return all.sorted()
    }

    func oomKillCount() throws -> UInt64 {
        guard let dir = directory(for: "memory"),
              let text = try CgroupFile.readIfPresent(dir + "/memory.oom_control")
        else { return 0 }
        return CgroupValues.keyedValue("oom_kill", in: text) ?? 0
    }

    func memoryPeak() throws -> UInt64? {
        guard let dir = directory(for: "memory") else { return nil }
        return try CgroupFile.readIfPresent(dir + "/memory.max_usage_in_bytes").flatMap { UInt64($0) }
    }

    func killAll(signal: Int32) throws {
        // Hybrid: the v2 tree holds every process too, and cgroup.kill is race-free.
        if signal == SIGKILL, let unified {
            let kill = unified.mountPoint + path + "/cgroup.kill"
            if CgroupFile.exists(kill) {
                try CgroupFile.write(kill, "1")
                return
            }
        }
        // Freeze so nothing forks between listing and signalling, then thaw to deliver.
        if let freezer = directory(for: "freezer"), CgroupFile.isDirectory(freezer) {
            try CgroupFile.write(freezer + "/freezer.state", "FROZEN")
            defer { try? CgroupFile.write(freezer + "/freezer.state", "THAWED") }
            try waitFrozen(freezer)
            try CgroupDirectory.signalEach(try processes(), signal: signal, dir: freezer)
            return
        }
        try CgroupDirectory.killUntilEmpty(directories, signal: signal)
    }

    func destroy() throws {
        for dir in directories {
            try CgroupDirectory.remove(dir)
        }
    }

    /// A new cpuset cgroup starts with empty cpus/mems (unless the parent's
    /// cgroup.clone_children is set), and adding a process to it then fails with ENOSPC:
    /// fill each empty level from its parent, top down.
    private func inheritCpuset(mountPoint: String) throws {
        var parent = mountPoint
        for level in cgroupPath.levels {
            let dir = mountPoint + level
            for file in ["cpuset.cpus", "cpuset.mems"] {
                let current = try CgroupFile.readIfPresent(dir + "/" + file) ?? ""
                if current.isEmpty {
                    let inherited = CgroupFile.trimmed(try CgroupFile.read(parent + "/" + file))
                    try CgroupFile.write(dir + "/" + file, inherited)
                }
            }
            parent = dir
        }
    }

    private func waitFrozen(_ freezer: String) throws {
        for _ in 0..<1000 {
            let state = try CgroupFile.readIfPresent(freezer + "/freezer.state")
            if state == nil || state == "FROZEN" { return }
            usleep(1_000)
        }
        throw CgroupError.system(operation: "freeze", path: freezer, errno: ETIMEDOUT)
    }

    private func requireDirectory(for controller: String, field: String) throws -> String {
        guard let dir = directory(for: controller) else {
            throw CgroupError.invalidResource(
                field: field, reason: "no \(controller) cgroup controller is mounted")
        }
        return dir
    }
}
