import Foundation
import Testing
import Runtime

/// /sys/fs/cgroup inside the container shows the container's own cgroup, with or without a
/// cgroup namespace, through create + start beside runc: its memory limit, and its init in
/// cgroup.procs.
@Suite(.enabled(if: isRoot), .serialized)
struct RuntimeCgroupViewTests {
    var isV2: Bool { FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") }

    @Test(arguments: [false, true])
    func theContainerSeesItsOwnCgroup(cgroupNamespace: Bool) throws {
        let sandbox = try RuntimeSandbox()
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "cgview-\(cgroupNamespace ? "ns" : "nons")-\(cli.name)"
            let limitFile = isV2 ? "/sys/fs/cgroup/memory.max" : "/sys/fs/cgroup/memory/memory.limit_in_bytes"
            let procsFile = isV2 ? "/sys/fs/cgroup/cgroup.procs" : "/sys/fs/cgroup/memory/cgroup.procs"
            var spec = try sandbox.spec(["sh", "-c", "cat \(limitFile) \(procsFile)"])
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/" + id
            spec.linux?.resources?.memory = LinuxMemory(limit: 48 << 20)
            spec.linux?.namespaces?.removeAll { $0.type == .cgroup }
            if cgroupNamespace { spec.linux?.namespaces?.append(LinuxNamespace(type: .cgroup)) }
            // `runc spec`'s cgroup mount (the test image's bundle has none).
            spec.mounts = (spec.mounts ?? []).filter { $0.destination != "/sys/fs/cgroup" } + [
                Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
            ]
            let output = sandbox.work + "/\(id).out"
            let (create, start) = try cli.createAndStart(spec, id: id, output: output)
            #expect(create.status.code == 0, "\(cli.name) create: \(create.stderr)")
            #expect(start?.status.code == 0, "\(cli.name) start: \(start?.stderr ?? "")")
            #expect(cli.waitFor(id, "stopped"), "\(cli.name)")
            // Its own limit, and only its own process (PID 1 of its PID namespace: `cat`).
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            #expect(text == "\(48 << 20)\n1\n", "\(cli.name) (cgroup namespace: \(cgroupNamespace)): \(text) \((try? String(contentsOfFile: output + ".create", encoding: .utf8)) ?? "")")
            #expect(cli.run(["delete", id]).status.code == 0)
        }
    }
}
