import Foundation
import Testing
@testable import Runtime

/// A host with a fixed set of paths and a hybrid cgroup layout.
struct FakePlannerHost: PlannerHost {
    var paths: Set<String>
    var modules = SecurityModules(selinux: false, apparmor: false)
    func securityModules() -> SecurityModules { modules }
    func exists(_ path: String) -> Bool { paths.contains(path) }
    func isDirectory(_ path: String) -> Bool { paths.contains(path) }
    func cgroupMountSources() throws -> [CgroupMountSource] {
        [CgroupMountSource(subdirectory: "memory", fstype: "cgroup", data: "memory", hostMountPoint: "/sys/fs/cgroup/memory"),
         CgroupMountSource(subdirectory: "systemd", fstype: "cgroup", data: "none,name=systemd", hostMountPoint: "/sys/fs/cgroup/systemd"),
         CgroupMountSource(subdirectory: "unified", fstype: "cgroup2", data: "", hostMountPoint: "/sys/fs/cgroup/unified")]
    }
}

@Suite struct ContainerPlannerTests {
    let planner = ContainerPlanner(host: FakePlannerHost(paths: ["/b/rootfs", "/data", "/run/netns/x"]), cgroupParent: "/swiftlet")

    func runcSpec() throws -> Spec {
        let url = Bundle.module.url(forResource: "Fixtures/runc-spec.json", withExtension: nil)!
        return try SpecDecoder.decode(Spec.self, from: Array(try Data(contentsOf: url)), file: "config.json")
    }

    func refusal(_ edit: (inout Spec) -> Void) throws -> String {
        var spec = try runcSpec()
        edit(&spec)
        do {
            _ = try planner.plan(spec: spec, bundle: "/b", id: "c1")
            return "planned"
        } catch {
            return "\(error)"
        }
    }

    @Test func plansRuncSpec() throws {
        let plan = try planner.plan(spec: try runcSpec(), bundle: "/b", id: "c1")
        #expect(plan.rootfs == "/b/rootfs")
        #expect(plan.rootfsReadonly)
        #expect(plan.cgroupPath == "/swiftlet/c1")
        #expect(plan.newNamespaces == [.pid, .network, .ipc, .uts, .mount])
        #expect(plan.createDevices)
        #expect(plan.hostname == "runc")
        // CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10)
        #expect(plan.process.capabilities?.effective == (1 << 29) | (1 << 5) | (1 << 10))
        #expect(plan.process.rlimits == [PlannedRlimit(resource: 7, soft: 1024, hard: 1024)])
        #expect(plan.process.noNewPrivileges)
        // The cgroup mount without a cgroup namespace: a tmpfs, then the container's own
        // directory of each hierarchy bound read-only below it.
        let cgroup = plan.mounts.filter { $0.destination.hasPrefix("/sys/fs/cgroup") }
        #expect(cgroup.map(\.destination) == ["/sys/fs/cgroup", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"])
        #expect(cgroup[0].type == "tmpfs" && !cgroup[0].flags.contains(.readOnly))
        #expect(cgroup.dropFirst().map(\.source) == ["/sys/fs/cgroup/memory/swiftlet/c1", "/sys/fs/cgroup/systemd/swiftlet/c1", "/sys/fs/cgroup/unified/swiftlet/c1"])
        #expect(cgroup.dropFirst().allSatisfy { $0.flags.contains(.bind) && $0.flags.contains(.readOnly) && $0.type == nil })
    }

    @Test func aCgroupNamespaceMountsTheHierarchiesThemselves() throws {
        var spec = try runcSpec()
        spec.linux?.namespaces?.append(LinuxNamespace(type: .cgroup))
        let cgroup = try planner.plan(spec: spec, bundle: "/b", id: "c1").mounts.filter { $0.destination.hasPrefix("/sys/fs/cgroup") }
        #expect(cgroup.map(\.type) == ["tmpfs", "cgroup", "cgroup", "cgroup2"])
        #expect(cgroup[2].data == "none,name=systemd" && cgroup[2].flags.contains(.readOnly))
    }

    @Test func bindMountsResolveAgainstTheBundle() throws {
        var spec = try runcSpec()
        spec.mounts = [Mount(destination: "/data", type: "bind", source: "/data", options: ["rbind", "ro"])]
        let plan = try planner.plan(spec: spec, bundle: "/b", id: "c1")
        #expect(plan.mounts == [PlannedMount(source: "/data", destination: "/data", type: nil, flags: [.bind, .recursive, .readOnly])])
    }

    @Test func joinsNamespacesByPathAndPlacesRelativeCgroups() throws {
        var spec = try runcSpec()
        spec.linux?.namespaces = [LinuxNamespace(type: .mount), LinuxNamespace(type: .network, path: "/run/netns/x")]
        spec.linux?.cgroupsPath = "pod1/c1"
        spec.hostname = nil
        let plan = try planner.plan(spec: spec, bundle: "/b", id: "c1")
        #expect(plan.joinNamespaces == [.network: "/run/netns/x"])
        #expect(plan.newNamespaces == [.mount])
        #expect(plan.cgroupPath == "/swiftlet/pod1/c1")
    }

    @Test func aJoinedUTSNamespaceTakesTheHostnameAndNoMountNamespaceIsAccepted() throws {
        var spec = try runcSpec()
        spec.linux?.namespaces = [LinuxNamespace(type: .mount), LinuxNamespace(type: .uts, path: "/run/netns/x")]
        #expect(try planner.plan(spec: spec, bundle: "/b", id: "c1").hostname == "runc")
        spec.linux?.namespaces = [LinuxNamespace(type: .pid)]
        spec.hostname = nil
        spec.linux?.maskedPaths = nil
        spec.linux?.readonlyPaths = nil
        spec.root?.readonly = false
        #expect(try planner.plan(spec: spec, bundle: "/b", id: "c1").newNamespaces == [.pid])
    }

    @Test func labelsAndProfilesNeedTheirSecurityModule() throws {
        #expect(try refusal { $0.process?.apparmorProfile = "docker-default" } == "config.json: process.apparmorProfile: an AppArmor profile is given, but AppArmor is not enabled on this host")
        #expect(try refusal { $0.process?.selinuxLabel = "system_u:system_r:container_t:s0" } == "config.json: process.selinuxLabel: an SELinux label is given, but SELinux is disabled or not supported on this host")
        #expect(try refusal { $0.linux?.mountLabel = "system_u:object_r:container_file_t:s0" } == "config.json: linux.mountLabel: an SELinux mount label is given, but SELinux is disabled or not supported on this host")
        var spec = try runcSpec()
        spec.process?.apparmorProfile = "docker-default"
        let withAppArmor = ContainerPlanner(
            host: FakePlannerHost(paths: ["/b/rootfs"], modules: SecurityModules(selinux: false, apparmor: true)), cgroupParent: "/swiftlet")
        #expect(throws: Never.self) { try withAppArmor.plan(spec: spec, bundle: "/b", id: "c1") }
    }

    @Test func refusalsNameTheField() throws {
        #expect(try refusal { $0.root = Root(path: "missing") } == "config.json: root.path: /b/missing: no such directory")
        #expect(try refusal { $0.process?.args = [] } == "config.json: process.args: must name a program")
        #expect(try refusal { $0.process?.cwd = "tmp" } == "config.json: process.cwd: must be an absolute path")
        #expect(try refusal { $0.mounts?.append(Mount(destination: "mnt", type: "tmpfs")) } == "config.json: mounts[7].destination: must be an absolute path")
        #expect(try refusal { $0.mounts?.append(Mount(destination: "/../etc", type: "tmpfs")) } == "config.json: mounts[7].destination: must not contain \"..\"")
        #expect(try refusal { $0.mounts?.append(Mount(destination: "/x", type: "bind", source: "/nope")) } == "config.json: mounts[7].source: /nope: no such file or directory")
        #expect(try refusal { $0.mounts?.append(Mount(destination: "/x", source: "none")) } == "config.json: mounts[7].type: missing")
        #expect(try refusal { $0.linux?.namespaces?.append(LinuxNamespace(type: .user)) } == "config.json: linux.uidMappings: a user namespace needs uid mappings")
        #expect(try refusal { $0.linux?.namespaces?.append(LinuxNamespace(type: .time)) } == "config.json: linux.namespaces[5].type: time namespaces are not supported")
        #expect(try refusal { $0.linux?.namespaces?.append(LinuxNamespace(type: .pid)) } == "config.json: linux.namespaces[5].type: duplicate pid namespace")
        #expect(try refusal { $0.linux?.namespaces?.removeAll { $0.type == .mount } } == "config.json: linux.maskedPaths: unable to restrict sys entries without a private mount namespace")
        #expect(try refusal {
            $0.linux?.namespaces?.removeAll { $0.type == .mount }
            $0.linux?.maskedPaths = nil
            $0.linux?.readonlyPaths = nil
            $0.root?.readonly = true
        } == "config.json: root.readonly: a read-only rootfs needs a private mount namespace")
        #expect(try refusal { $0.linux?.namespaces?.removeAll { $0.type == .uts } } == "config.json: hostname: unable to set hostname without a private UTS namespace")
        #expect(try refusal {
            $0.linux?.namespaces?.removeAll { $0.type == .uts }
            $0.hostname = nil
            $0.domainname = "example.org"
        } == "config.json: domainname: unable to set domainname without a private UTS namespace")
        #expect(try refusal { $0.linux?.cgroupsPath = "/a/process_api/b" }.hasPrefix("config.json: linux.cgroupsPath:"))
        #expect(try refusal { $0.process?.rlimits = [Rlimit(type: "RLIMIT_FOO", hard: 1, soft: 1)] } == "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"")
        #expect(try refusal { $0.process?.capabilities?.effective = ["CAP_NOPE"] } == "config.json: process.capabilities.effective[0]: unknown capability \"CAP_NOPE\"")
        #expect(try refusal { $0.linux?.seccomp = LinuxSeccomp(defaultAction: "SCMP_ACT_MAYBE") } == "config.json: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_MAYBE\"")
    }

    @Test func resourcesConvertWithDeviceDefaults() {
        let resources = ContainerPlanner.resources(LinuxResources(
            memory: LinuxMemory(limit: 100, swap: 200), cpu: LinuxCPU(shares: 512, quota: 5000, period: 10000),
            pids: LinuxPids(limit: 20), devices: [LinuxDeviceCgroup(allow: false, access: "rwm")]))
        #expect(resources.memoryLimit == 100 && resources.memorySwap == 200)
        #expect(resources.cpuShares == 512 && resources.cpuQuota == 5000 && resources.cpuPeriod == 10000)
        #expect(resources.pidsLimit == 20)
        #expect(resources.devices?.first == CgroupDeviceRule(allow: false))
        #expect(resources.devices?.dropFirst().elementsEqual(CgroupDeviceRule.defaultAllowed) == true)
    }
}

@Suite struct SeccompProgramTests {
    @Test func compilesDockersProfileAndCachesIt() throws {
        let profile = try SpecDecoder.decode(Spec.self, from: Array(DefaultSpec.json.utf8), file: "default").linux!.seccomp!
        let dir = FileManager.default.temporaryDirectory.path + "/seccomp-cache-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let compiled = try SeccompProgram.load(profile, cacheDirectory: dir)
        #expect(compiled.bytes.count % 8 == 0 && compiled.bytes.count > 8 * 100)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(files.count == 1 && files[0].hasSuffix(".bpf"))
        // The cached copy is what a second load returns, without compiling.
        #expect(try SeccompProgram.load(profile, cacheDirectory: dir) == compiled)
        // A different profile gets its own entry.
        var other = profile
        other.syscalls![0].names.removeAll { $0 == "mkdir" }
        let otherProgram = try SeccompProgram.load(other, cacheDirectory: dir)
        #expect(otherProgram != compiled)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).count == 2)
    }

    @Test func unknownSyscallNamesAreSkippedAsRuncDoes() throws {
        let profile = LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            LinuxSyscall(names: ["no_such_syscall", "mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 1)])
        #expect(try SeccompProgram.compile(profile).bytes.count > 0)
    }
}
