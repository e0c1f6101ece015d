#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging

/// cgroup v2: one directory in the unified tree, with the controllers the limits need
/// enabled in each ancestor's `cgroup.subtree_control`.
struct CgroupV2Manager: CgroupManager {
    let cgroupPath: CgroupPath
    let mountPoint: String

    init(path: CgroupPath, mountPoint: String) {
        self.cgroupPath = path
        self.mountPoint = mountPoint
    }

    var path: String { cgroupPath.description }
    var directory: String { mountPoint + path }

    /// The controllers a container may be limited by, enabled for its subtree.
    static let wantedControllers = ["cpuset", "cpu", "io", "memory", "pids", "hugetlb"]

    var procsFiles: [String] { [directory + "/cgroup.procs"] }
    var threadJoinFiles: [String] { [] }
    var unifiedDirectory: String? { directory }

    var freezer: CgroupFreezer? { .v2(directory: directory) }

    func create() throws {
        // Enable the controllers from the root down to the leaf's parent, skipping levels
        // that already have them (the common case after the first container).
        var parent = mountPoint
        for level in cgroupPath.levels {
            try enableControllers(in: parent)
            parent = mountPoint + level
        }
        try CgroupDirectory.create(mountPoint: mountPoint, path: cgroupPath)
    }

    /// Device rules are not applied: v2 device control is an eBPF program (not loaded here).
    func apply(_ resources: CgroupResources) throws {
        if let devices = resources.devices, !devices.isEmpty {
            Logger(label: "swiftlet.cgroups").warning(
                "device rules not enforced on cgroup v2 (needs an eBPF device program)",
                metadata: ["cgroup": "\(path)"])
        }
        var writes = try CgroupValues.v2Writes(resources)
        if let weight = resources.blkioWeight {
            // As runc's fs2: io.bfq.weight takes the blkio value, io.weight its mapping.
            if CgroupFile.exists(directory + "/io.bfq.weight") {
                writes.append(CgroupWrite(controller: "io", file: "io.bfq.weight", value: String(weight)))
            } else {
                writes.append(CgroupWrite(controller: "io", file: "io.weight", value: String(CgroupValues.ioWeight(fromBlkioWeight: weight))))
            }
        }
        for write in writes {
            let file = directory + "/" + write.file
            guard CgroupFile.exists(file) else {
                throw CgroupError.invalidResource(
                    field: write.file,
                    reason: "the \(write.controller) controller is not enabled for \(directory)")
            }
            try CgroupFile.write(file, write.value)
        }
    }

    func addProcess(_ pid: pid_t) throws {
        try CgroupFile.write(directory + "/cgroup.procs", String(pid))
    }

    func processes() throws -> [pid_t] {
        guard CgroupFile.isDirectory(directory) else { return [] }
        return try CgroupDirectory.processes(directory).sorted()
    }

    func oomKillCount() throws -> UInt64 {
        guard let text = try CgroupFile.readIfPresent(directory + "/memory.events") else { return 0 }
        return CgroupValues.keyedValue("oom_kill", in: text) ?? 0
    }

    func memoryPeak() throws -> UInt64? {
        try CgroupFile.readIfPresent(directory + "/memory.peak").flatMap { UInt64($0) }
    }

    func killAll(signal: Int32) throws {
        if signal == SIGKILL && CgroupFile.exists(directory + "/cgroup.kill") {
            try CgroupFile.write(directory + "/cgroup.kill", "1")
            return
        }
        try CgroupDirectory.killUntilEmpty([directory], signal: signal)
    }

    func destroy() throws {
        try CgroupDirectory.remove(directory)
    }

    private func enableControllers(in dir: String) throws {
        guard let available = try CgroupFile.readIfPresent(dir + "/cgroup.controllers") else { return }
        let enabled = Set((try CgroupFile.readIfPresent(dir + "/cgroup.subtree_control") ?? "").split(separator: " ").map(String.init))
        let have = Set(available.split(separator: " ").map(String.init))
        let missing = Self.wantedControllers.filter { have.contains($0) && !enabled.contains($0) }
        if missing.isEmpty { return }
        try CgroupFile.write(dir + "/cgroup.subtree_control", missing.map { "+" + $0 }.joined(separator: " "))
    }
}
