import Foundation
import Testing
import Runtime

/// `linux.rootfsPropagation` shared and unbindable through create + start: the container's
/// "/" carries the propagation, as with crun (run in a mount namespace without the hybrid
/// cgroup2 tree, which crun 1.8 refuses).
@Suite(.enabled(if: isRoot), .serialized)
struct RuntimePropagationTests {
    /// Prints the propagation tags of "/" ("shared", "master", "unbindable"; none = private).
    static let probe = #"awk '$5 == "/" { for (i = 7; $i != "-"; i++) printf "%s ", $i; print "" }' /proc/self/mountinfo | sed 's/:[0-9]*//g'"#

    func crunRun(_ sandbox: RuntimeSandbox, bundle: String, id: String) -> String? {
        guard let crun = OCIRuntimeCLI.peer("crun", sandbox) else { return nil }
        let out = sandbox.work + "/\(id).crun"
        let script = "umount /sys/fs/cgroup/unified 2>/dev/null; exec \"$@\""
        _ = spawnAndWait(
            ["/usr/bin/unshare", "--mount", "/bin/sh", "-c", script, "sh"] + crun.argv + ["run", "--bundle", bundle, id],
            stdout: out, stderr: out + ".err")
        return (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    }

    @Test(arguments: [("shared", "shared \n"), ("rshared", "shared \n"), ("unbindable", "unbindable \n"), ("rslave", "\n")])
    func theRootCarriesTheRequestedPropagation(propagation: String, expected: String) throws {
        let sandbox = try RuntimeSandbox()
        let cli = OCIRuntimeCLI.swiftlet(sandbox)
        let id = "prop-\(propagation)"
        var spec = try sandbox.spec(["sh", "-c", Self.probe])
        spec.linux?.rootfsPropagation = propagation
        spec.linux?.cgroupsPath = sandbox.cgroupParent + "/" + id
        let output = sandbox.work + "/\(id).out"
        let (create, start) = try cli.createAndStart(spec, id: id, output: output)
        #expect(create.status.code == 0, "create: \(create.stderr)")
        #expect(start?.status.code == 0, "start: \(start?.stderr ?? "")")
        #expect(cli.waitFor(id, "stopped"))
        #expect((try? String(contentsOfFile: output, encoding: .utf8)) == expected)
        #expect(cli.run(["delete", id]).status.code == 0)

        var crunSpec = spec
        crunSpec.linux?.cgroupsPath = sandbox.cgroupParent + "/crun-" + id
        if let crun = crunRun(sandbox, bundle: try sandbox.bundle(crunSpec, name: "crun-" + id), id: "crun-" + id) {
            #expect(crun == expected, "crun saw \(crun)")
        }
    }
}
