import Foundation
import Testing
@testable import Runtime

/// config.json decoding: runc's own output, the test bundle's shape, and the one-line errors.
@Suite struct SpecDecodingTests {
    func fixture(_ name: String) throws -> [UInt8] {
        let url = Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)!
        return Array(try Data(contentsOf: url))
    }

    @Test func decodesRuncSpecOutput() throws {
        let spec = try SpecDecoder.decode(Spec.self, from: try fixture("runc-spec.json"), file: "config.json")
        #expect(spec.process?.terminal == true)
        #expect(spec.process?.args == ["sh"])
        #expect(spec.process?.capabilities?.bounding == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"])
        #expect(spec.process?.rlimits == [Rlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)])
        #expect(spec.root == Root(path: "rootfs", readonly: true))
        #expect(spec.mounts?.map(\.destination).contains("/sys/fs/cgroup") == true)
        #expect(spec.linux?.namespaces?.map(\.type) == [.pid, .network, .ipc, .uts, .mount])
        #expect(spec.linux?.maskedPaths?.contains("/proc/kcore") == true)
    }

    @Test func decodesResourcesSeccompAndHooks() throws {
        let json = #"""
            {"ociVersion": "1.0.2", "process": {"user": {"uid": 1000, "gid": 1000, "additionalGids": [5]}, "args": ["true"], "cwd": "/"},
             "hooks": {"poststop": [{"path": "/bin/true", "args": ["true"], "timeout": 3}]},
             "linux": {"cgroupsPath": "/a/b",
                       "resources": {"memory": {"limit": 33554432, "swap": 33554432}, "cpu": {"shares": 512, "quota": 50000, "period": 100000}, "pids": {"limit": 20}},
                       "namespaces": [{"type": "network", "path": "/run/netns/x"}],
                       "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}}}
            """#
        let spec = try SpecDecoder.decode(Spec.self, from: Array(json.utf8), file: "config.json")
        #expect(spec.process?.user == User(uid: 1000, gid: 1000, additionalGids: [5]))
        #expect(spec.hooks?.poststop == [Hook(path: "/bin/true", args: ["true"], timeout: 3)])
        #expect(spec.linux?.resources?.memory == LinuxMemory(limit: 32 << 20, swap: 32 << 20))
        #expect(spec.linux?.resources?.cpu == LinuxCPU(shares: 512, quota: 50_000, period: 100_000))
        #expect(spec.linux?.resources?.pids == LinuxPids(limit: 20))
        #expect(spec.linux?.namespaces == [LinuxNamespace(type: .network, path: "/run/netns/x")])
        #expect(spec.linux?.seccomp?.syscalls?.first?.args == [LinuxSeccompArg(index: 0, value: 1, op: "SCMP_CMP_EQ")])
    }

    func decodingError(_ json: String) -> String {
        do {
            _ = try SpecDecoder.decode(Spec.self, from: Array(json.utf8), file: "config.json")
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func errorsNameTheField() {
        #expect(decodingError("{not json") == "config.json: invalid JSON" || decodingError("{not json").hasPrefix("config.json: invalid JSON ("))
        #expect(decodingError(#"{"ociVersion": "1", "linux": {"namespaces": [{"type": "pid"}, {"type": "netwrk"}]}}"#)
            == "config.json: linux.namespaces[1].type: unknown namespace type \"netwrk\" (expected one of pid, network, ipc, uts, mount, cgroup, user, time)")
        #expect(decodingError(#"{"ociVersion": "1", "process": {"user": {"uid": 0, "gid": 0}, "cwd": 5}}"#)
            == "config.json: process.cwd: expected a string")
        #expect(decodingError(#"{"process": {}}"#) == "config.json: ociVersion: missing")
    }

    @Test func mountOptionsSplitIntoFlagsPropagationAndData() {
        let tmpfs = MountOptions(parsing: ["nosuid", "strictatime", "mode=755", "size=65536k"])
        #expect(tmpfs.flags == [.noSuid, .strictAtime])
        #expect(tmpfs.data == ["mode=755", "size=65536k"])
        #expect(tmpfs.propagation == [])

        let bind = MountOptions(parsing: ["rbind", "ro", "rslave", "nodev"])
        #expect(bind.flags == [.bind, .recursive, .readOnly, .noDev])
        #expect(bind.propagation == [.slave, .recursive])

        // Later options win, as in mount(8): "ro" then "rw" is read-write.
        #expect(MountOptions(parsing: ["ro", "rw", "exec", "noexec"]).flags == [.noExec])
        #expect(MountOptions(parsing: ["defaults", "tmpcopyup"]) == MountOptions())
        #expect(MountFlags.bind.rawValue == 4096 && MountFlags.recursive.rawValue == 16384 && MountFlags.slave.rawValue == 1 << 19)
    }

    @Test func lifecycleTransitions() {
        #expect(ContainerStatus.created.canStart)
        #expect(!ContainerStatus.running.canStart)
        #expect(!ContainerStatus.stopped.canStart)
        #expect(ContainerStatus.running.canKill && ContainerStatus.created.canKill && !ContainerStatus.stopped.canKill)
        #expect(ContainerStatus.running.canExec && !ContainerStatus.created.canExec)
        #expect(!ContainerStatus.running.canDelete(force: false) && ContainerStatus.running.canDelete(force: true))
        #expect(ContainerStatus.stopped.canDelete(force: false) && ContainerStatus.created.canDelete(force: false))
    }

    @Test func exitStatusFromWaitStatus() {
        #expect(ExitStatus(waitStatus: 7 << 8) == ExitStatus(exitCode: 7))
        #expect(ExitStatus(waitStatus: 9).code == 137)
        #expect(ExitStatus(waitStatus: 0).code == 0)
    }
}
