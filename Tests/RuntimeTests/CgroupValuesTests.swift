import Testing
@testable import Runtime

@Suite struct CgroupValuesTests {
    @Test func sharesToWeightMatchesRunc() {
        #expect(CgroupValues.cpuWeight(fromShares: 2) == 1)
        #expect(CgroupValues.cpuWeight(fromShares: 1024) == 39)
        #expect(CgroupValues.cpuWeight(fromShares: 262_144) == 10_000)
        // Out-of-range shares clamp instead of wrapping.
        #expect(CgroupValues.cpuWeight(fromShares: 1) == 1)
        #expect(CgroupValues.cpuWeight(fromShares: 1_000_000) == 10_000)
    }

    @Test func cpuMaxText() {
        #expect(CgroupValues.cpuMax(quota: nil, period: nil) == nil)
        #expect(CgroupValues.cpuMax(quota: 50_000, period: 100_000) == "50000 100000")
        #expect(CgroupValues.cpuMax(quota: -1, period: 100_000) == "max 100000")
        #expect(CgroupValues.cpuMax(quota: 20_000, period: nil) == "20000")
        #expect(CgroupValues.cpuMax(quota: -1, period: nil) == "max")
    }

    @Test func limitsToMax() {
        #expect(CgroupValues.memoryMax(-1) == "max")
        #expect(CgroupValues.memoryMax(33_554_432) == "33554432")
        #expect(CgroupValues.pidsMax(0) == "max")
        #expect(CgroupValues.pidsMax(-1) == "max")
        #expect(CgroupValues.pidsMax(20) == "20")
        #expect(CgroupValues.v1MemoryLimit(-5) == "-1")
    }

    @Test func swapIsTotalMinusMemoryOnV2() throws {
        #expect(try CgroupValues.swapMax(memoryLimit: 100, memorySwap: 300) == "200")
        #expect(try CgroupValues.swapMax(memoryLimit: 100, memorySwap: -1) == "max")
        #expect(try CgroupValues.swapMax(memoryLimit: 100, memorySwap: nil) == nil)
        #expect(try CgroupValues.swapMax(memoryLimit: -1, memorySwap: nil) == "max")
        #expect(throws: CgroupError.invalidResource(
            field: "memorySwap", reason: "a swap limit needs a memory limit")) {
            try CgroupValues.swapMax(memoryLimit: nil, memorySwap: 300)
        }
        #expect(throws: CgroupError.self) { try CgroupValues.swapMax(memoryLimit: 300, memorySwap: 100) }
    }

    @Test func v1MemoryWriteOrderKeepsMemswAboveMemory() {
        let raise = CgroupResources(memoryLimit: 200, memorySwap: 400)
        // Current limit 100 < new swap 400: memsw must go first.
        #expect(CgroupValues.v1MemoryWrites(raise, currentMemoryLimit: 100, hasMemsw: true).map(\.file)
            == ["memory.memsw.limit_in_bytes", "memory.limit_in_bytes"])
        // Current limit 1000 >= new swap: lower memory first.
        #expect(CgroupValues.v1MemoryWrites(raise, currentMemoryLimit: 1000, hasMemsw: true).map(\.file)
            == ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"])
        // No swap accounting: memsw is never written.
        #expect(CgroupValues.v1MemoryWrites(raise, currentMemoryLimit: 100, hasMemsw: false)
            == [CgroupWrite(controller: "memory", file: "memory.limit_in_bytes", value: "200")])
        // Unlimited memory makes swap unlimited too, memsw first.
        #expect(CgroupValues.v1MemoryWrites(CgroupResources(memoryLimit: -1), currentMemoryLimit: 100, hasMemsw: true)
            .map(\.value) == ["-1", "-1"])
    }

    @Test func v1WritesPutPeriodBeforeQuota() throws {
        let writes = try CgroupValues.v1Writes(CgroupResources(
            cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000, cpusetCpus: "0", pidsLimit: 0))
        #expect(writes.map { "\($0.file)=\($0.value)" } == [
            "cpuset.cpus=0", "cpu.shares=512", "cpu.cfs_period_us=100000",
            "cpu.cfs_quota_us=50000", "pids.max=max",
        ])
    }

    @Test func v1DeviceRulesInOrder() throws {
        let rules = [CgroupDeviceRule(allow: false)] + CgroupDeviceRule.defaultAllowed.prefix(3)
        let writes = try CgroupValues.v1Writes(CgroupResources(devices: rules))
        #expect(writes.map { "\($0.file) \($0.value)" } == [
            "devices.deny a *:* rwm", "devices.allow c *:* m", "devices.allow b *:* m",
            "devices.allow c 1:3 rwm",
        ])
        #expect(CgroupDeviceRule(allow: true, type: "c", major: 136).v1Line == "c 136:* rwm")
        #expect(throws: CgroupError.invalidResource(field: "devices.access", reason: "\"rx\" is not a combination of r, w, m")) {
            try CgroupValues.v1Writes(CgroupResources(devices: [CgroupDeviceRule(allow: true, access: "rx")]))
        }
        #expect(throws: CgroupError.self) {
            try CgroupValues.v1Writes(CgroupResources(devices: [CgroupDeviceRule(allow: true, type: "p")]))
        }
    }

    @Test func v2Writes() throws {
        let writes = try CgroupValues.v2Writes(CgroupResources(
            memoryLimit: 64 << 20, memorySwap: 128 << 20, cpuShares: 1024, cpuQuota: 25_000,
            cpuPeriod: 100_000, pidsLimit: 20))
        #expect(writes.map { "\($0.controller):\($0.file)=\($0.value)" } == [
            "cpu:cpu.weight=39", "cpu:cpu.max=25000 100000", "memory:memory.swap.max=67108864",
            "memory:memory.max=67108864", "pids:pids.max=20",
        ])
    }

    @Test func parsesKeyedFilesAndProcs() {
        let oomControl = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"
        #expect(CgroupValues.keyedValue("oom_kill", in: oomControl) == 3)
        #expect(CgroupValues.keyedValue("oom_kill", in: "low 0\nhigh 0\noom 1\n") == nil)
        #expect(CgroupValues.pids(in: "12\n345\n") == [12, 345])
    }

    @Test func pathValidation() throws {
        #expect(try CgroupPath("/swiftlet//pod/ctr/").description == "/swiftlet/pod/ctr")
        for (bad, reason) in [
            ("swiftlet/x", "must be absolute"),
            ("/swiftlet/../x", "must not contain \"..\""),
            ("/", "must name a cgroup below the root"),
            ("/process_api/x", "must not contain \"process_api\" (the host's own cgroup)"),
            ("/a/process_api", "must not contain \"process_api\" (the host's own cgroup)"),
        ] {
            #expect(throws: CgroupError.invalidPath(path: bad, reason: reason)) { try CgroupPath(bad) }
        }
        #expect("\(CgroupError.invalidPath(path: "x", reason: "must be absolute"))"
            == "cgroup path \"x\": must be absolute")
        #expect("\(CgroupError.system(operation: "write", path: "/sys/fs/cgroup/memory/x/memory.limit_in_bytes", errno: 22))"
            == "write /sys/fs/cgroup/memory/x/memory.limit_in_bytes: invalid argument")
    }
}

/// The memory knobs and the other fields runc's fs and fs2 managers set, as each version
/// takes them.
@Suite struct CgroupMemoryKnobTests {
    let knobs = CgroupResources(
        memoryReservation: 32 << 20, memorySwappiness: 10, disableOOMKiller: true, hugepageLimits: ["2MB": 4 << 20])

    @Test func v1WritesTheSoftLimitSwappinessAndOOMControl() throws {
        let writes = try CgroupValues.v1Writes(knobs)
        #expect(writes.map { "\($0.controller) \($0.file)=\($0.value)" } == [
            "memory memory.soft_limit_in_bytes=33554432", "memory memory.swappiness=10", "memory memory.oom_control=1",
            "hugetlb hugetlb.2MB.limit_in_bytes=4194304",
        ])
        #expect(throws: CgroupError.invalidResource(field: "memorySwappiness", reason: "101 is out of 0...100")) {
            try CgroupValues.v1Writes(CgroupResources(memorySwappiness: 101))
        }
        #expect(throws: CgroupError.self) { try CgroupValues.v1Writes(CgroupResources(unified: ["memory.high": "1"])) }
    }

    @Test func v2MapsTheReservationToMemoryLowAndRefusesWhatItHasNot() throws {
        let writes = try CgroupValues.v2Writes(CgroupResources(memoryReservation: -1, hugepageLimits: ["1GB": 0], unified: ["memory.high": "50M"]))
        #expect(writes.map { "\($0.file)=\($0.value)" } == ["memory.low=max", "hugetlb.1GB.max=0", "memory.high=50M"])
        #expect(throws: CgroupError.invalidResource(field: "memorySwappiness", reason: "cgroup v2 has no swappiness")) {
            try CgroupValues.v2Writes(CgroupResources(memorySwappiness: 0))
        }
        #expect(throws: CgroupError.invalidResource(field: "disableOOMKiller", reason: "cgroup v2 cannot disable the OOM killer")) {
            try CgroupValues.v2Writes(CgroupResources(disableOOMKiller: true))
        }
        #expect(CgroupValues.ioWeight(fromBlkioWeight: 10) == 1)
        #expect(CgroupValues.ioWeight(fromBlkioWeight: 500) == 4950)
        #expect(CgroupValues.ioWeight(fromBlkioWeight: 1000) == 10000)
    }
}
