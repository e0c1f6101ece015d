import Testing
@testable import Runtime

/// `linux.sysctl` under runc's validation rules: which namespace each key needs.
@Suite struct SysctlPlanTests {
    let host = FakePlannerHost(paths: [])

    func plan(_ sysctl: [String: String], new: Set<NamespaceKind>, join: [NamespaceKind: String] = [:]) throws -> [PlannedSysctl] {
        try SysctlPlan.plan(sysctl, newNamespaces: new, joinNamespaces: join, host: host)
    }

    func refusal(_ sysctl: [String: String], new: Set<NamespaceKind>, join: [NamespaceKind: String] = [:]) -> String {
        do {
            _ = try plan(sysctl, new: new, join: join)
            return "planned"
        } catch {
            return "\(error)"
        }
    }

    @Test func namespacedKeysBecomeProcSysPaths() throws {
        let planned = try plan(
            ["net.ipv4.ip_forward": "1", "kernel.shmmax": "65536", "fs.mqueue.msg_max": "20", "kernel.domainname": "example",
             "net/ipv4/conf/eth0.100/rp_filter": "2"],
            new: [.network, .ipc, .uts])
        #expect(planned == [
            PlannedSysctl(path: "fs/mqueue/msg_max", value: "20"),
            PlannedSysctl(path: "kernel/domainname", value: "example"),
            PlannedSysctl(path: "kernel/shmmax", value: "65536"),
            PlannedSysctl(path: "net/ipv4/ip_forward", value: "1"),
            PlannedSysctl(path: "net/ipv4/conf/eth0.100/rp_filter", value: "2"),
        ])
        // A joined namespace counts as the container's own.
        #expect(try plan(["kernel.sem": "1 2 3 4"], new: [], join: [.ipc: "/run/ipc"]).count == 1)
        #expect(try plan(["net.core.somaxconn": "10"], new: [], join: [.network: "/run/netns/x"]).count == 1)
    }

    @Test func keysOutsideTheContainersNamespacesAreRefusedAsRuncDoes() {
        #expect(refusal(["net.ipv4.ip_forward": "1"], new: [.ipc]) == "linux.sysctl: sysctl \"net.ipv4.ip_forward\" is not allowed in the host's network namespace")
        // Joining the runtime's own network namespace by path is still the host's.
        #expect(refusal(["net.ipv4.ip_forward": "1"], new: [], join: [.network: "/proc/self/ns/net"]) == "linux.sysctl: sysctl \"net.ipv4.ip_forward\" is not allowed in the host's network namespace")
        #expect(refusal(["kernel.shmmax": "1"], new: [.network]) == "linux.sysctl: sysctl \"kernel.shmmax\" is not allowed in the host's ipc namespace")
        #expect(refusal(["fs.mqueue.queues_max": "1"], new: []) == "linux.sysctl: sysctl \"fs.mqueue.queues_max\" is not allowed in the host's ipc namespace")
        #expect(refusal(["kernel.hostname": "x"], new: [.uts]) == "linux.sysctl: sysctl \"kernel.hostname\" is not allowed: it conflicts with the OCI \"hostname\" field")
        #expect(refusal(["kernel.domainname": "x"], new: [.ipc]) == "linux.sysctl: sysctl \"kernel.domainname\" is not in a separate kernel namespace")
        #expect(refusal(["vm.swappiness": "10"], new: [.network, .ipc, .uts]) == "linux.sysctl: sysctl \"vm.swappiness\" is not in a separate kernel namespace")
        #expect(refusal(["net.ipv4..ip_forward": "1"], new: [.network]) == "linux.sysctl: invalid sysctl name \"net.ipv4..ip_forward\"")
        #expect(refusal(["net/../../etc/passwd": "1"], new: [.network]) == "linux.sysctl: invalid sysctl name \"net/../../etc/passwd\"")
    }
}
