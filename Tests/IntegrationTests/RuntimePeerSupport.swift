import Foundation
import Runtime

/// An OCI runtime command line driven by a test: swiftlet-runtime, or runc / crun (installed
/// by scripts/bootstrap.sh) with a state root of their own in the sandbox, so one test can
/// run the same bundle through each and compare what a user sees.
struct OCIRuntimeCLI {
    let name: String
    let argv: [String]
    let sandbox: RuntimeSandbox

    /// swiftlet-runtime with the sandbox's root and cgroup parent.
    static func swiftlet(_ sandbox: RuntimeSandbox) -> OCIRuntimeCLI {
        OCIRuntimeCLI(
            name: "swiftlet-runtime",
            argv: [builtBinary("swiftlet-runtime"), "--root", sandbox.work + "/state", "--cgroup-parent", sandbox.cgroupParent],
            sandbox: sandbox)
    }

    /// `name` (runc, crun) if installed, with a state root under the sandbox.
    static func peer(_ name: String, _ sandbox: RuntimeSandbox) -> OCIRuntimeCLI? {
        for dir in ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]
        where FileManager.default.isExecutableFile(atPath: dir + "/" + name) {
            return OCIRuntimeCLI(name: name, argv: [dir + "/" + name, "--root", sandbox.work + "/\(name)-state"], sandbox: sandbox)
        }
        return nil
    }

    /// swiftlet-runtime, then runc when installed: the runtimes a parity test compares.
    static func compared(_ sandbox: RuntimeSandbox) -> [OCIRuntimeCLI] {
        [swiftlet(sandbox)] + (peer("runc", sandbox).map { [$0] } ?? [])
    }

    func run(_ args: [String]) -> RuntimeCLI.Result {
        let out = sandbox.work + "/\(name)-\(UInt32.random(in: 0...UInt32.max))"
        let status = spawnAndWait(argv + args, stdout: out + ".out", stderr: out + ".err")
        let stdout = (try? String(contentsOfFile: out + ".out", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: out + ".err", encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: out + ".out")
        try? FileManager.default.removeItem(atPath: out + ".err")
        return RuntimeCLI.Result(status: status, stdout: stdout, stderr: stderr)
    }

    /// The `status` field of `state ID`, or nil when the container does not exist.
    func status(_ id: String) -> String? {
        let result = run(["state", id])
        guard result.status.code == 0,
              let json = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        else { return nil }
        return json["status"] as? String
    }

    func pid(_ id: String) -> Int32 {
        let result = run(["state", id])
        let json = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return Int32(json?["pid"] as? Int ?? 0)
    }

    /// Polls `state` (the init is not our child) until it reports `status`, a bounded number of times.
    func waitFor(_ id: String, _ status: String) -> Bool {
        for _ in 0..<500 {
            if self.status(id) == status { return true }
            usleep(10_000)
        }
        return false
    }

    /// create + start of `spec` as container `id` in a bundle of its own; the init's stdout
    /// and stderr go to `output` (a file). Returns the create and start results.
    func createAndStart(_ spec: Spec, id: String, output: String? = nil) throws -> (create: RuntimeCLI.Result, start: RuntimeCLI.Result?) {
        let bundle = try sandbox.bundle(spec, name: "\(name)-\(id)")
        let create: RuntimeCLI.Result
        if let output {
            let status = spawnAndWait(argv + ["create", "--bundle", bundle, id], stdout: output, stderr: output + ".create")
            let stderr = (try? String(contentsOfFile: output + ".create", encoding: .utf8)) ?? ""
            create = RuntimeCLI.Result(status: status, stdout: "", stderr: stderr)
        } else {
            create = run(["create", "--bundle", bundle, id])
        }
        guard create.status.code == 0 else { return (create, nil) }
        return (create, run(["start", id]))
    }
}
