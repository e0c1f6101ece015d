import Foundation
import Testing
import Runtime

/// `linux.sysctl` through create + start, beside runc: namespaced keys are set inside the
/// container (its own network and IPC namespaces), the host's values are untouched, and a
/// key the container has no namespace for is a create error.
@Suite(.enabled(if: isRoot), .serialized)
struct RuntimeSysctlTests {
    func hostValue(_ path: String) -> String {
        ((try? String(contentsOfFile: "/proc/sys/" + path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func namespacedSysctlsAreSetInTheContainerOnly() throws {
        let sandbox = try RuntimeSandbox()
        let hostBefore = ["net/ipv4/ip_forward", "net/ipv4/tcp_syncookies", "kernel/shmmni", "fs/mqueue/msg_max"].map(hostValue)
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "sysctl-\(cli.name)"
            var spec = try sandbox.spec(["sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/tcp_syncookies /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max"])
            let forward = hostBefore[0] == "1" ? "0" : "1"
            spec.linux?.sysctl = [
                "net.ipv4.ip_forward": forward, "net/ipv4/tcp_syncookies": "0", "kernel.shmmni": "1234", "fs.mqueue.msg_max": "42",
            ]
            let output = sandbox.work + "/\(id).out"
            let (create, start) = try cli.createAndStart(spec, id: id, output: output)
            #expect(create.status.code == 0, "\(cli.name) create: \(create.stderr)")
            #expect(start?.status.code == 0, "\(cli.name) start: \(start?.stderr ?? "")")
            #expect(cli.waitFor(id, "stopped"), "\(cli.name)")
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            #expect(text == "\(forward)\n0\n1234\n42\n", "\(cli.name): \(text)")
            #expect(cli.run(["delete", id]).status.code == 0)
        }
        let hostAfter = ["net/ipv4/ip_forward", "net/ipv4/tcp_syncookies", "kernel/shmmni", "fs/mqueue/msg_max"].map(hostValue)
        // ip_forward is left out: CNI bridge tests running beside this one turn it on in the
        // test's own network namespace (the "host" here).
        #expect(Array(hostAfter.dropFirst()) == Array(hostBefore.dropFirst()), "the host's own values changed")
    }

    @Test(arguments: [
        ("net.ipv4.ip_forward", NamespaceKind.network, "sysctl \"net.ipv4.ip_forward\" is not allowed in the host's network namespace"),
        ("kernel.shmmax", NamespaceKind.ipc, "sysctl \"kernel.shmmax\" is not allowed in the host's ipc namespace"),
        ("vm.swappiness", NamespaceKind.time, "sysctl \"vm.swappiness\" is not in a separate kernel namespace"),
    ])
    func aSysctlWithoutItsNamespaceIsACreateError(key: String, dropped: NamespaceKind, message: String) throws {
        let sandbox = try RuntimeSandbox()
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "nosysctl-\(cli.name)"
            var spec = try sandbox.spec(["true"])
            spec.linux?.namespaces?.removeAll { $0.type == dropped }
            spec.linux?.sysctl = [key: "1"]
            let (create, _) = try cli.createAndStart(spec, id: id)
            #expect(create.status.code != 0, "\(cli.name) took \(key) without its namespace")
            if cli.name == "swiftlet-runtime" {
                #expect(create.stderr == "swiftlet-runtime: config.json: linux.sysctl: \(message)\n")
            } else {
                #expect(create.stderr.contains(key), "\(cli.name): \(create.stderr)")
            }
            #expect(cli.status(id) == nil, "\(cli.name) left \(id)")
        }
    }
}
