import Foundation
import Testing
import Runtime

/// Real cgroups under /sys/fs/cgroup, each test below its own `/swiftlet-test-<random>` parent.
@Suite(.enabled(if: isRoot), .serialized)
struct CgroupIntegrationTests {
    let root = "/sys/fs/cgroup"

    /// Every directory under the cgroup root where `path` could exist (each v1 hierarchy,
    /// the hybrid unified tree, or the root itself on v2).
    func hierarchyDirectories() throws -> [String] {
        if FileManager.default.fileExists(atPath: root + "/cgroup.controllers") { return [root] }
        return try FileManager.default.contentsOfDirectory(atPath: root).sorted().map { root + "/" + $0 }
            .filter { FileManager.default.fileExists(atPath: $0 + "/cgroup.procs") }
    }

    func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func uniqueParent() -> String { "/swiftlet-test-\(UInt32.random(in: 0...UInt32.max))" }

    /// Removes the test parent and checks nothing is left in any hierarchy.
    func removeParent(_ parent: String) throws {
        try Cgroups.manager(path: parent).destroy()
        for dir in try hierarchyDirectories() {
            #expect(!FileManager.default.fileExists(atPath: dir + parent), "left behind: \(dir + parent)")
        }
    }

    /// Starts /bin/busybox ARGS with an empty signal mask (the test runner's threads block
    /// most signals, and a Foundation Process would inherit that mask), stdin from `stdin`.
    func spawn(_ args: [String], stdin: Int32? = nil) throws -> Child {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin { posix_spawn_file_actions_adddup2(&actions, stdin, 0) }
        let argv = (["/bin/busybox"] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/busybox", &actions, &attr, argv, environ)
        guard rc == 0 else { throw CgroupError.system(operation: "posix_spawn", path: "/bin/busybox", errno: rc) }
        return Child(pid: pid)
    }

    struct Child {
        let pid: pid_t
        /// Waits for the child; returns the signal that killed it, or nil if it exited.
        func waitForSignal() -> Int32? {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let signal = status & 0x7f
            return signal != 0 && signal != 0x7f ? signal : nil
        }
    }

    @Test func limitsProcessesKillAndDestroy() throws {
        let parent = uniqueParent()
        defer { try? Cgroups.manager(path: parent).destroy() }
        let layout = try Cgroups.detectLayout(root: root)
        let manager = try Cgroups.manager(path: parent + "/ctr1", root: root)
        try manager.create()
        try manager.create()  // idempotent
        try manager.apply(CgroupResources(
            memoryLimit: 64 << 20, cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000, pidsLimit: 20))

        switch layout {
        case .v1, .hybrid:
            let path = parent + "/ctr1"
            #expect(try read("\(root)/memory\(path)/memory.limit_in_bytes") == "67108864")
            #expect(try read("\(root)/cpu\(path)/cpu.shares") == "512")
            #expect(try read("\(root)/cpu\(path)/cpu.cfs_quota_us") == "50000")
            #expect(try read("\(root)/cpu\(path)/cpu.cfs_period_us") == "100000")
            #expect(try read("\(root)/pids\(path)/pids.max") == "20")
            #expect(try read("\(root)/cpuset\(path)/cpuset.cpus") == (try read("\(root)/cpuset/cpuset.cpus")))
        case .v2:
            let dir = root + parent + "/ctr1"
            #expect(try read(dir + "/memory.max") == "67108864")
            #expect(try read(dir + "/cpu.weight") == "20")
            #expect(try read(dir + "/cpu.max") == "50000 100000")
            #expect(try read(dir + "/pids.max") == "20")
        }
        for dir in try hierarchyDirectories() {
            #expect(FileManager.default.fileExists(atPath: dir + parent + "/ctr1"), "missing in \(dir)")
        }

        let sleepers = try (0..<2).map { _ in try spawn(["sleep", "60"]) }
        for sleeper in sleepers { try manager.addProcess(sleeper.pid) }
        #expect(try manager.processes() == sleepers.map(\.pid).sorted())
        // /proc/PID/cgroup names our cgroup in every hierarchy (hybrid: the 0:: line too).
        let membership = try read("/proc/\(sleepers[0].pid)/cgroup")
        for line in membership.split(separator: "\n") {
            #expect(line.hasSuffix(":" + parent + "/ctr1"), "\(line)")
        }

        try manager.killAll(signal: SIGTERM)
        for sleeper in sleepers {
            #expect(sleeper.waitForSignal() == SIGTERM)
        }
        let survivor = try spawn(["sleep", "60"])
        try manager.addProcess(survivor.pid)
        try manager.killAll(signal: SIGKILL)
        #expect(survivor.waitForSignal() == SIGKILL)
        #expect(try manager.processes() == [])

        try manager.destroy()
        for dir in try hierarchyDirectories() {
            #expect(!FileManager.default.fileExists(atPath: dir + parent + "/ctr1"), "left behind in \(dir)")
        }
        try manager.destroy()  // absent is fine
        try removeParent(parent)
    }

    @Test func memoryLimitOOMKillIsCounted() throws {
        let parent = uniqueParent()
        defer { try? Cgroups.manager(path: parent).destroy() }
        let manager = try Cgroups.manager(path: parent + "/oom", root: root)
        try manager.create()
        try manager.apply(CgroupResources(memoryLimit: 32 << 20, memorySwap: 32 << 20))
        #expect(try manager.oomKillCount() == 0)

        // The child waits on stdin until it is in the cgroup, then touches a 64 MiB buffer.
        var go: [Int32] = [0, 0]
        #expect(pipe(&go) == 0)
        let hog = try spawn(
            ["sh", "-c", "read x; exec /bin/busybox dd if=/dev/zero of=/dev/null bs=64M count=1"],
            stdin: go[0])
        close(go[0])
        try manager.addProcess(hog.pid)
        #expect(write(go[1], "go\n", 3) == 3)
        close(go[1])
        #expect(hog.waitForSignal() == SIGKILL)
        #expect(try manager.oomKillCount() > 0)
        if let peak = try manager.memoryPeak() {
            #expect(peak <= 32 << 20)
        }
        try manager.destroy()
        try removeParent(parent)
    }

    @Test(.enabled(if: (try? Cgroups.detectLayout()) != .v2))
    func deviceRulesDenyAllButTheDefaults() throws {
        let parent = uniqueParent()
        defer { try? Cgroups.manager(path: parent).destroy() }
        let manager = try Cgroups.manager(path: parent + "/dev", root: root)
        try manager.create()
        try manager.apply(CgroupResources(devices: [CgroupDeviceRule(allow: false)] + CgroupDeviceRule.defaultAllowed))
        let list = try read("\(root)/devices\(parent)/dev/devices.list").split(separator: "\n").map(String.init)
        #expect(!list.contains("a *:* rwm"))
        #expect(list.contains("c 1:3 rwm"))

        // /dev/null (1:3) is allowed; /dev/kmsg (1:11), which root opens outside, is not.
        let kmsg = open("/dev/kmsg", O_RDONLY)
        #expect(kmsg >= 0, "baseline: root opens /dev/kmsg outside the cgroup")
        close(kmsg)
        func exitCode(_ script: String) throws -> Int32? {
            var go: [Int32] = [0, 0]
            #expect(pipe(&go) == 0)
            let child = try spawn(["sh", "-c", "read x; " + script], stdin: go[0])
            close(go[0])
            try manager.addProcess(child.pid)
            #expect(write(go[1], "go\n", 3) == 3)
            close(go[1])
            var status: Int32 = 0
            while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
            return status & 0x7f == 0 ? (status >> 8) & 0xff : nil
        }
        #expect(try exitCode("echo hi > /dev/null") == 0)
        // A failed redirection on `exec` ends sh non-interactively; `command` keeps it alive.
        #expect(try exitCode("command exec 3</dev/kmsg 2>/dev/null || exit 9") == 9)
        #expect(try exitCode("command exec 3</dev/null 2>/dev/null || exit 9") == 0)
        try manager.destroy()
        try removeParent(parent)
    }

    @Test func refusesTheHostsOwnCgroup() throws {
        #expect(throws: CgroupError.self) { try Cgroups.manager(path: "/process_api/x", root: root) }
    }
}
