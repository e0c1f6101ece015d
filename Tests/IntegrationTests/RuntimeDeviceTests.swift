import Foundation
import Testing
import Runtime

/// `linux.devices` through create + start, beside runc: the node exists with the spec's
/// type, numbers, mode and owner, and the devices cgroup lets the container open it.
@Suite(.enabled(if: isRoot), .serialized)
struct RuntimeDeviceTests {
    @Test func extraDeviceNodesAreMadeWithTheirModeAndOwnerAndAllowed() throws {
        // /dev/net/tun (10:200) is outside the default allowed set; opening it needs no
        // capability (only TUNSETIFF does).
        guard FileManager.default.fileExists(atPath: "/dev/net/tun") else { return }
        let sandbox = try RuntimeSandbox()
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "dev-\(cli.name)"
            var spec = try sandbox.spec(["sh", "-c", "stat -c '%A %u %g %t:%T' /dev/net/tun /dev/pipe; exec 3<>/dev/net/tun && echo opened"])
            // Its owner opens it (root here has no CAP_DAC_OVERRIDE: mode 0640 keeps it out).
            spec.process?.user = User(uid: 1000, gid: 1001)
            spec.linux?.devices = [
                LinuxDevice(path: "/dev/net/tun", type: "c", major: 10, minor: 200, fileMode: 0o640, uid: 1000, gid: 1001),
                LinuxDevice(path: "/dev/pipe", type: "p", fileMode: 0o600),
            ]
            let output = sandbox.work + "/\(id).out"
            let (create, start) = try cli.createAndStart(spec, id: id, output: output)
            #expect(create.status.code == 0, "\(cli.name) create: \(create.stderr)")
            #expect(start?.status.code == 0, "\(cli.name) start: \(start?.stderr ?? "")")
            #expect(cli.waitFor(id, "stopped"), "\(cli.name)")
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            #expect(text == "crw-r----- 1000 1001 a:c8\nprw------- 0 0 0:0\nopened\n", "\(cli.name): \(text) \((try? String(contentsOfFile: output + ".create", encoding: .utf8)) ?? "")")
            #expect(cli.run(["delete", id]).status.code == 0)
        }
    }

    @Test func aBadDeviceIsRefusedNamingTheField() throws {
        let sandbox = try RuntimeSandbox()
        let cli = OCIRuntimeCLI.swiftlet(sandbox)
        var spec = try sandbox.spec(["true"])
        spec.linux?.devices = [LinuxDevice(path: "/dev/x", type: "c")]
        let (create, _) = try cli.createAndStart(spec, id: "baddev")
        #expect(create.stderr == "swiftlet-runtime: config.json: linux.devices[0]: a c device needs major and minor\n")
        spec.linux?.devices = [LinuxDevice(path: "/dev/../x", type: "c", major: 1, minor: 3)]
        let (dotdot, _) = try cli.createAndStart(spec, id: "baddev2")
        #expect(dotdot.stderr == "swiftlet-runtime: config.json: linux.devices[0].path: must name a file inside the container, without \"..\"\n")
        #expect(cli.status("baddev") == nil && cli.status("baddev2") == nil)
    }
}
