import Foundation
import Testing
import Runtime

/// A container whose `process.user` is not root, through create + start, beside runc: the
/// init reaches the exec fifo as that user (no CAP_DAC_OVERRIDE) and runs the program.
@Suite(.enabled(if: isRoot), .serialized)
struct RuntimeUserTests {
    @Test func aNonRootUserWithoutDacOverrideRunsThroughCreateAndStart() throws {
        let sandbox = try RuntimeSandbox()
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "user-\(cli.name)"
            var spec = try sandbox.spec(["sh", "-c", "echo $(id -u):$(id -g):$(id -G); grep CapEff /proc/self/status"])
            spec.process?.user = User(uid: 1000, gid: 1000, additionalGids: [1001])
            let caps = ["CAP_KILL", "CAP_NET_BIND_SERVICE"]
            spec.process?.capabilities = Capabilities(bounding: caps, effective: caps, inheritable: [], permitted: caps, ambient: [])
            let output = sandbox.work + "/\(id).out"
            let (create, start) = try cli.createAndStart(spec, id: id, output: output)
            #expect(create.status.code == 0, "\(cli.name) create: \(create.stderr)")
            #expect(start?.status.code == 0, "\(cli.name) start: \(start?.stderr ?? "")")
            #expect(cli.waitFor(id, "stopped"), "\(cli.name)")
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            // A non-root execve keeps no effective capability without ambient ones, as in runc.
            #expect(text == "1000:1000:1000 1001\nCapEff:\t0000000000000000\n", "\(cli.name): \(text)")
            #expect(cli.run(["delete", id]).status.code == 0, "\(cli.name)")
        }
    }

    @Test func theExecFifoIsWritableByTheInitsUserWhateverTheUmask() throws {
        let sandbox = try RuntimeSandbox()
        let cli = OCIRuntimeCLI.swiftlet(sandbox)
        var spec = try sandbox.spec(["true"])
        spec.process?.user = User(uid: 65534, gid: 65534)
        spec.process?.capabilities = Capabilities(bounding: [], effective: [], inheritable: [], permitted: [], ambient: [])
        let bundle = try sandbox.bundle(spec, name: "fifo")
        // A strict umask in the caller (containerd's may be anything).
        let status = spawnAndWait(
            ["/bin/sh", "-c", "umask 077 && exec \"$@\"", "sh"] + cli.argv + ["create", "--bundle", bundle, "fifo"],
            stdout: "/dev/null", stderr: sandbox.work + "/fifo.err")
        #expect(status.code == 0, "\((try? String(contentsOfFile: sandbox.work + "/fifo.err", encoding: .utf8)) ?? "")")
        #expect(cli.status("fifo") == "created")
        var st = stat()
        #expect(stat(sandbox.work + "/state/fifo/exec.fifo", &st) == 0)
        #expect(st.st_mode & 0o777 == 0o622)
        #expect(cli.run(["start", "fifo"]).status.code == 0)
        #expect(cli.waitFor("fifo", "stopped"))
        #expect(cli.run(["delete", "fifo"]).status.code == 0)
    }
}
