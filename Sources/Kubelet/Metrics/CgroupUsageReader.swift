import Foundation

/// Reads `CgroupUsage` of cgroups by path from the host's hierarchies: on v1 (and hybrid,
/// whose controllers are v1) from the cpuacct and memory mounts, on v2 from the tree.
struct CgroupUsageReader: Sendable {
    let cpuacctMount: String?
    let memoryMount: String?
    let unifiedMount: String?

    init(root: String = "/sys/fs/cgroup") {
        let fm = FileManager.default
        if fm.fileExists(atPath: root + "/cgroup.controllers") {
            cpuacctMount = nil
            memoryMount = nil
            unifiedMount = root
        } else {
            cpuacctMount = ["cpuacct", "cpu,cpuacct", "cpuacct,cpu"].map { root + "/" + $0 }.first { fm.fileExists(atPath: $0 + "/cpuacct.usage") }
            memoryMount = fm.fileExists(atPath: root + "/memory/memory.usage_in_bytes") ? root + "/memory" : nil
            unifiedMount = nil
        }
    }

    /// The usage of the cgroup at `path` (`/swiftlet/pod<uid>/<id>`), nil if it is gone.
    func usage(_ path: String) -> CgroupUsage? {
        let path = path == "/" ? "" : path
        if let unifiedMount {
            let dir = unifiedMount + path
            guard let cpu = Self.read(dir + "/cpu.stat"), let current = Self.read(dir + "/memory.current") else { return nil }
            return CgroupUsage.v2(cpuStat: cpu, memoryCurrent: current, memoryStat: Self.read(dir + "/memory.stat") ?? "")
        }
        guard let cpuacctMount, let memoryMount,
              let cpu = Self.read(cpuacctMount + path + "/cpuacct.usage"),
              let memory = Self.read(memoryMount + path + "/memory.usage_in_bytes") else { return nil }
        return CgroupUsage.v1(cpuacctUsage: cpu, memoryUsage: memory, memoryStat: Self.read(memoryMount + path + "/memory.stat") ?? "")
    }

    /// The names of the cgroups right under `path` (a pod's containers).
    func children(_ path: String) -> [String] {
        guard let mount = unifiedMount ?? cpuacctMount else { return [] }
        let dir = mount + path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { var isDir: ObjCBool = false; return FileManager.default.fileExists(atPath: dir + "/" + $0, isDirectory: &isDir) && isDir.boolValue }
    }

    private static func read(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }
}
