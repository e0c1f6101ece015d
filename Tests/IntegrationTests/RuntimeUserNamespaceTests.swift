import Foundation
import Testing
import Runtime

/// A user namespace with uid/gid mappings through create + start and exec, beside runc: root
/// in the container is the mapped host uid, and the maps read back inside.
@Suite(.enabled(if: isRoot), .serialized)
struct RuntimeUserNamespaceTests {
    @Test func rootInsideIsTheMappedHostUser() throws {
        let sandbox = try RuntimeSandbox()
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "userns-\(cli.name)"
            var spec = try sandbox.spec(["sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map | tr -s ' '; ls -ln /dev/null | tr -s ' ' | cut -d' ' -f1,3,4; exec sleep 30"])
            spec.linux?.namespaces?.append(LinuxNamespace(type: .user))
            spec.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]
            spec.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/" + id
            let output = sandbox.work + "/\(id).out"
            let (create, start) = try cli.createAndStart(spec, id: id, output: output)
            #expect(create.status.code == 0, "\(cli.name) create: \(create.stderr)")
            #expect(start?.status.code == 0, "\(cli.name) start: \(start?.stderr ?? "")")
            var text = ""
            for _ in 0..<300 where text.split(separator: "\n").count < 5 {
                text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                usleep(10_000)
            }
            // /dev/null is the host's node bound in (owned by unmapped root: nobody).
            #expect(text == "0\n0\n 0 100000 65536\n 0 100000 65536\ncrw-rw-rw- 65534 65534\n", "\(cli.name): \(text) \((try? String(contentsOfFile: output + ".create", encoding: .utf8)) ?? "")")
            // From the host, the init runs as the mapped uid.
            let pid = cli.pid(id)
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            #expect(status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(separator: "\t").dropFirst().first == "100000", "\(cli.name)")
            // The runtime moved it into its cgroup (it may not move itself from inside).
            for dir in sandbox.cgroupDirectories(spec.linux!.cgroupsPath!) {
                let procs = (try? String(contentsOfFile: dir + "/cgroup.procs", encoding: .utf8)) ?? ""
                #expect(procs.split(separator: "\n").contains(Substring(String(pid))), "\(cli.name): \(dir)")
            }
            // exec joins the user namespace too.
            let exec = cli.run(["exec", id, "id", "-u"])
            #expect(exec.stdout == "0\n", "\(cli.name) exec: \(exec.stderr)")
            #expect(cli.run(["delete", "--force", id]).status.code == 0, "\(cli.name)")
        }
    }
}
