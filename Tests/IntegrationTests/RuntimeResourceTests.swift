import Foundation
import Testing
import Runtime

/// Memory knobs and the resource audit through create + start, beside runc: reservation,
/// swappiness and disableOOMKiller land in the container's memory cgroup (v1 here; v2 maps
/// the reservation to memory.low), and a limit the host cannot take fails create.
@Suite(.enabled(if: isRoot), .serialized)
struct RuntimeResourceTests {
    func read(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var isV2: Bool { FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") }

    @Test func memoryReservationSwappinessAndOOMKillerAreWritten() throws {
        let sandbox = try RuntimeSandbox()
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "memknobs-\(cli.name)"
            var spec = try sandbox.spec(["sleep", "30"])
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/" + id
            spec.linux?.resources?.memory = isV2
                ? LinuxMemory(limit: 64 << 20, reservation: 32 << 20)
                : LinuxMemory(limit: 64 << 20, reservation: 32 << 20, swappiness: 7, disableOOMKiller: true)
            let (create, start) = try cli.createAndStart(spec, id: id)
            #expect(create.status.code == 0, "\(cli.name) create: \(create.stderr)")
            #expect(start?.status.code == 0, "\(cli.name) start: \(start?.stderr ?? "")")
            if isV2 {
                let dir = "/sys/fs/cgroup" + spec.linux!.cgroupsPath!
                #expect(read(dir + "/memory.low") == String(32 << 20), "\(cli.name)")
            } else {
                let dir = "/sys/fs/cgroup/memory" + spec.linux!.cgroupsPath!
                #expect(read(dir + "/memory.soft_limit_in_bytes") == String(32 << 20), "\(cli.name)")
                #expect(read(dir + "/memory.swappiness") == "7", "\(cli.name)")
                #expect(read(dir + "/memory.oom_control").split(separator: "\n").first == "oom_kill_disable 1", "\(cli.name)")
            }
            #expect(cli.run(["delete", "--force", id]).status.code == 0)
        }
    }

    @Test func aLimitTheHostCannotTakeFailsCreate() throws {
        let sandbox = try RuntimeSandbox()
        // This host's blkio controller has a weight only under BFQ/CFQ; where it has none,
        // both runtimes must refuse rather than run unweighted.
        let blkio = "/sys/fs/cgroup/blkio"
        let hasWeight = isV2 || ["blkio.weight", "blkio.bfq.weight"].contains { FileManager.default.fileExists(atPath: blkio + "/" + $0) }
        for cli in OCIRuntimeCLI.compared(sandbox) where !hasWeight {
            let id = "blkio-\(cli.name)"
            var spec = try sandbox.spec(["true"])
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/" + id
            spec.linux?.resources?.blockIO = LinuxBlockIO(weight: 500)
            let (create, _) = try cli.createAndStart(spec, id: id)
            #expect(create.status.code != 0, "\(cli.name) ran with a block I/O weight it cannot apply")
            if cli.name == "swiftlet-runtime" {
                #expect(create.stderr == "swiftlet-runtime: cgroup resources blkioWeight: this host's blkio controller has no weight (no BFQ or CFQ I/O scheduler)\n")
            }
            #expect(cli.status(id) == nil)
            for dir in sandbox.cgroupDirectories(spec.linux!.cgroupsPath!) {
                #expect(!FileManager.default.fileExists(atPath: dir), "\(cli.name) left \(dir)")
            }
        }
        // Fields no manager applies are refused by name, before anything is made.
        let cli = OCIRuntimeCLI.swiftlet(sandbox)
        var spec = try sandbox.spec(["true"])
        spec.linux?.resources?.network = try JSONDecoder().decode(LinuxNetwork.self, from: Data(#"{"classID": 1048577}"#.utf8))
        #expect(try cli.createAndStart(spec, id: "netcls").create.stderr
            == "swiftlet-runtime: config.json: linux.resources.network: net_cls/net_prio limits are not supported\n")
        spec.linux?.resources?.network = nil
        spec.linux?.resources?.memory = LinuxMemory(swappiness: 200)
        #expect(try cli.createAndStart(spec, id: "swappy").create.stderr
            == "swiftlet-runtime: config.json: linux.resources.memory.swappiness: 200 is out of 0...100\n")
    }
}
