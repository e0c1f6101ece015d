import Foundation
import Testing
@testable import Runtime

/// A temp directory laid out like a cgroup mount: what the kernel would show, as plain files.
final class FakeCgroupRoot {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "swiftlet-fake-cgroup-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Creates `dir` (relative to the root) with the given files.
    func cgroup(_ dir: String, _ files: [String: String] = [:]) throws {
        let path = dir.isEmpty ? root : root + "/" + dir
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, content) in files {
            try content.write(toFile: path + "/" + name, atomically: false, encoding: .utf8)
        }
    }

    func read(_ file: String) throws -> String {
        try String(contentsOfFile: root + "/" + file, encoding: .utf8)
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: root + "/" + path) }

    /// v1 controllers as this machine mounts them (cpu and cpuacct apart), plus systemd's.
    func layOutV1() throws {
        try cgroup("cpu", ["cgroup.procs": "", "cpu.shares": "1024"])
        try cgroup("cpuacct", ["cgroup.procs": ""])
        try cgroup("memory", ["cgroup.procs": "", "memory.limit_in_bytes": "9223372036854771712"])
        try cgroup("pids", ["cgroup.procs": ""])
        try cgroup("cpuset", ["cgroup.procs": "", "cpuset.cpus": "0-3\n", "cpuset.mems": "0\n"])
        try cgroup("systemd", ["cgroup.procs": ""])
    }

    func layOutHybrid() throws {
        try layOutV1()
        try cgroup("unified", ["cgroup.procs": "", "cgroup.controllers": ""])
    }

    func layOutV2() throws {
        try cgroup("", ["cgroup.procs": "", "cgroup.controllers": "cpuset cpu io memory pids\n",
                        "cgroup.subtree_control": ""])
    }
}

@Suite struct CgroupManagerTests {
    @Test func detectsEachLayout() throws {
        let v1 = try FakeCgroupRoot(); try v1.layOutV1()
        let v2 = try FakeCgroupRoot(); try v2.layOutV2()
        let hybrid = try FakeCgroupRoot(); try hybrid.layOutHybrid()
        #expect(try Cgroups.detectLayout(root: v1.root) == .v1)
        #expect(try Cgroups.detectLayout(root: v2.root) == .v2)
        #expect(try Cgroups.detectLayout(root: hybrid.root) == .hybrid)
        let empty = try FakeCgroupRoot()
        #expect(throws: CgroupError.noHierarchy(root: empty.root)) { try Cgroups.detectLayout(root: empty.root) }
    }

    @Test func commaJoinedMountIsOneHierarchy() throws {
        let fake = try FakeCgroupRoot()
        try fake.cgroup("cpu,cpuacct", ["cgroup.procs": "", "cpu.shares": ""])
        try fake.cgroup("memory", ["cgroup.procs": ""])
        try FileManager.default.createSymbolicLink(atPath: fake.root + "/cpu", withDestinationPath: "cpu,cpuacct")
        try FileManager.default.createSymbolicLink(atPath: fake.root + "/cpuacct", withDestinationPath: "cpu,cpuacct")
        let found = try CgroupHierarchy.discover(root: fake.root)
        #expect(found.layout == .v1)
        #expect(found.v1.count == 2)
        #expect(found.v1.contains { $0.controllers == ["cpu", "cpuacct"] })
    }

    @Test func hybridCreatesEveryHierarchyAndCopiesCpuset() throws {
        let fake = try FakeCgroupRoot()
        try fake.layOutHybrid()
        let manager = try Cgroups.manager(path: "/swiftlet/ctr1", root: fake.root)
        #expect(manager.path == "/swiftlet/ctr1")
        // Our mkdir makes empty dirs; the copy must then fail loudly naming the file...
        #expect(throws: CgroupError.system(
            operation: "open", path: fake.root + "/cpuset/swiftlet/cpuset.cpus", errno: ENOENT)) {
            try manager.create()
        }
        // ...and succeed once the files the kernel would make (empty cpus/mems) are there.
        try fake.cgroup("cpuset/swiftlet", ["cpuset.cpus": "\n", "cpuset.mems": "\n"])
        try fake.cgroup("cpuset/swiftlet/ctr1", ["cpuset.cpus": "\n", "cpuset.mems": "\n"])
        try manager.create()
        for h in ["cpu", "cpuacct", "memory", "pids", "cpuset", "systemd", "unified"] {
            #expect(fake.exists("\(h)/swiftlet/ctr1"), "missing in \(h)")
        }
        #expect(try fake.read("cpuset/swiftlet/ctr1/cpuset.cpus") == "0-3")
        #expect(try fake.read("cpuset/swiftlet/ctr1/cpuset.mems") == "0")

        try fake.cgroup("memory/swiftlet/ctr1", ["memory.limit_in_bytes": "9223372036854771712"])
        try fake.cgroup("cpu/swiftlet/ctr1", ["cpu.shares": "", "cpu.cfs_quota_us": "", "cpu.cfs_period_us": ""])
        try fake.cgroup("pids/swiftlet/ctr1", ["pids.max": ""])
        try manager.apply(CgroupResources(
            memoryLimit: 32 << 20, cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000, pidsLimit: 20))
        #expect(try fake.read("memory/swiftlet/ctr1/memory.limit_in_bytes") == "33554432")
        #expect(try fake.read("cpu/swiftlet/ctr1/cpu.shares") == "512")
        #expect(try fake.read("cpu/swiftlet/ctr1/cpu.cfs_quota_us") == "50000")
        #expect(try fake.read("cpu/swiftlet/ctr1/cpu.cfs_period_us") == "100000")
        #expect(try fake.read("pids/swiftlet/ctr1/pids.max") == "20")

        try fake.cgroup("memory/swiftlet/ctr1", ["memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"])
        #expect(try manager.oomKillCount() == 2)

        for h in ["cpu", "cpuacct", "memory", "pids", "cpuset", "systemd", "unified"] {
            try fake.cgroup("\(h)/swiftlet/ctr1", ["cgroup.procs": h == "pids" ? "41\n42\n" : "42\n"])
        }
        #expect(try manager.processes() == [41, 42])
    }

    @Test func v1RefusesALimitWithoutItsController() throws {
        let fake = try FakeCgroupRoot()
        try fake.cgroup("cpu", ["cgroup.procs": ""])
        let manager = try Cgroups.manager(path: "/swiftlet/x", root: fake.root)
        try manager.create()
        #expect(throws: CgroupError.invalidResource(
            field: "pids.max", reason: "no pids cgroup controller is mounted")) {
            try manager.apply(CgroupResources(pidsLimit: 5))
        }
    }

    @Test func v2EnablesControllersLevelByLevel() throws {
        let fake = try FakeCgroupRoot()
        try fake.layOutV2()
        try fake.cgroup("swiftlet", ["cgroup.controllers": "cpu memory pids\n", "cgroup.subtree_control": "cpu\n"])
        let manager = try Cgroups.manager(path: "/swiftlet/ctr1", root: fake.root)
        try manager.create()
        #expect(try fake.read("cgroup.subtree_control") == "+cpuset +cpu +io +memory +pids")
        // Only what this level offers and has not enabled yet.
        #expect(try fake.read("swiftlet/cgroup.subtree_control") == "+memory +pids")
        #expect(fake.exists("swiftlet/ctr1"))

        try fake.cgroup("swiftlet/ctr1", ["cpu.weight": "", "cpu.max": "", "memory.max": "",
                                          "memory.swap.max": "", "pids.max": ""])
        try manager.apply(CgroupResources(memoryLimit: -1, cpuShares: 2, cpuQuota: -1, pidsLimit: 0))
        #expect(try fake.read("swiftlet/ctr1/memory.max") == "max")
        #expect(try fake.read("swiftlet/ctr1/memory.swap.max") == "max")
        #expect(try fake.read("swiftlet/ctr1/cpu.weight") == "1")
        #expect(try fake.read("swiftlet/ctr1/cpu.max") == "max")
        #expect(try fake.read("swiftlet/ctr1/pids.max") == "max")

        try fake.cgroup("swiftlet/ctr1", ["memory.events": "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n"])
        #expect(try manager.oomKillCount() == 1)
        #expect(try manager.memoryPeak() == nil)

        // destroy removes the leaf (an rmdir on a real cgroupfs; empty the fake dir first).
        for file in try FileManager.default.contentsOfDirectory(atPath: fake.root + "/swiftlet/ctr1") {
            try FileManager.default.removeItem(atPath: fake.root + "/swiftlet/ctr1/" + file)
        }
        try manager.destroy()
        try manager.destroy()  // absent is fine
        #expect(!fake.exists("swiftlet/ctr1"))
        #expect(fake.exists("swiftlet"))
    }

    @Test func v2ApplyWithoutControllerNamesTheFile() throws {
        let fake = try FakeCgroupRoot()
        try fake.cgroup("", ["cgroup.procs": "", "cgroup.controllers": "\n", "cgroup.subtree_control": ""])
        let manager = try Cgroups.manager(path: "/swiftlet/c", root: fake.root)
        try manager.create()
        #expect(throws: CgroupError.invalidResource(
            field: "memory.max", reason: "the memory controller is not enabled for \(fake.root)/swiftlet/c")) {
            try manager.apply(CgroupResources(memoryLimit: 1 << 20))
        }
    }

    @Test func managerRefusesBadPaths() throws {
        let fake = try FakeCgroupRoot()
        try fake.layOutV1()
        #expect(throws: CgroupError.self) { try Cgroups.manager(path: "relative", root: fake.root) }
        #expect(throws: CgroupError.self) { try Cgroups.manager(path: "/swiftlet/process_api", root: fake.root) }
    }
}
