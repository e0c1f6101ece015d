import Foundation
import Testing
import Runtime
@testable import Images

/// The `swiftlet-runtime` binary as containerd or a user drives it: lifecycle, run/exec
/// exit codes, runc's own config.json, and bad input leaving nothing behind.
@Suite(.enabled(if: isRoot), .serialized)
struct RuntimeIntegrationCLITests {
    func stateJSON(_ cli: RuntimeCLI, _ id: String) throws -> [String: Any] {
        let result = cli.run(["state", id])
        #expect(result.status.code == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// Waits until `state` reports `status` (the init of a CLI-created container is not our
    /// child, so it is polled, a bounded number of times).
    func waitForStatus(_ cli: RuntimeCLI, _ id: String, _ status: String) throws -> Bool {
        for _ in 0..<500 {
            let result = cli.run(["state", id])
            let json = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            if json?["status"] as? String == status { return true }
            usleep(10_000)
        }
        return false
    }

    func mountinfo() -> String {
        (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    }

    @Test func createStartKillDeleteMovesThroughTheStatesAndLeavesNothing() throws {
        let sandbox = try RuntimeSandbox()
        let cli = RuntimeCLI(sandbox: sandbox)
        var spec = try sandbox.spec(["sleep", "30"])
        spec.linux?.cgroupsPath = sandbox.cgroupParent + "/life"
        spec.linux?.resources = LinuxResources(pids: LinuxPids(limit: 10))
        let bundle = try sandbox.bundle(spec, name: "life")
        let pidFile = sandbox.work + "/life.pid"

        let create = cli.run(["create", "--bundle", bundle, "--pid-file", pidFile, "life"])
        #expect(create.status.code == 0, "\(create.stderr)")
        var state = try stateJSON(cli, "life")
        #expect(state["status"] as? String == "created")
        #expect(state["id"] as? String == "life")
        #expect(state["bundle"] as? String == bundle)
        #expect(state["ociVersion"] != nil)
        let pid = state["pid"] as? Int ?? 0
        #expect(pid > 0)
        #expect((try? String(contentsOfFile: pidFile, encoding: .utf8)) == String(pid))
        // The init is already in its cgroup, waiting for start.
        let procs = sandbox.cgroupDirectories(spec.linux!.cgroupsPath!).map { $0 + "/cgroup.procs" }
        for file in procs {
            #expect((try String(contentsOfFile: file, encoding: .utf8)).split(separator: "\n").contains(Substring(String(pid))), "\(file)")
        }
        #expect(cli.run(["start", "life"]).status.code == 0)
        state = try stateJSON(cli, "life")
        #expect(state["status"] as? String == "running")
        #expect((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) == "sleep\u{0}30\u{0}")
        let refused = cli.run(["delete", "life"])
        #expect(refused.status.code != 0)
        #expect(refused.stderr.contains("running"))
        #expect(cli.run(["list", "-q"]).stdout == "life\n")

        #expect(cli.run(["kill", "life", "KILL"]).status.code == 0)
        #expect(try waitForStatus(cli, "life", "stopped"))
        #expect(cli.run(["delete", "life"]).status.code == 0)

        let gone = cli.run(["state", "life"])
        #expect(gone.status.code != 0)
        #expect(gone.stderr == "swiftlet-runtime: container \"life\" does not exist\n")
        for dir in sandbox.cgroupDirectories(spec.linux!.cgroupsPath!) {
            #expect(!FileManager.default.fileExists(atPath: dir), "left behind: \(dir)")
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.work + "/state/life"))
        // Only this container's mounts: other tests mount in the same namespace meanwhile.
        #expect(!mountinfo().contains(sandbox.work), "mounts left under \(sandbox.work)")
        #expect(!mountinfo().contains(RuntimeTestImage.rootfs))
    }

    @Test func runExitsWithTheContainersCodeAndSignal() throws {
        let sandbox = try RuntimeSandbox()
        let cli = RuntimeCLI(sandbox: sandbox)
        let seven = try sandbox.bundle(try sandbox.spec(["sh", "-c", "echo out; exit 7"]), name: "seven")
        let result = cli.run(["run", "--bundle", seven, "seven"])
        #expect(result.status.code == 7)
        #expect(result.stdout == "out\n")
        #expect(cli.run(["list", "-q"]).stdout == "")
        // The same through swift-argument-parser (--debug is not on the fast path).
        let parsed = cli.run(["--debug", "run", "--bundle", seven, "seven"])
        #expect(parsed.status.code == 7)
        #expect(parsed.stdout == "out\n")
        let usage = cli.run(["run", "--bundle"])
        #expect(usage.status.code != 0)
        #expect(usage.stderr.contains("--bundle"))

        let sleeper = try sandbox.bundle(try sandbox.spec(["sleep", "30"]), name: "sleeper")
        let out = sandbox.work + "/sleeper"
        let runPid = try spawnProcess(
            [builtBinary("swiftlet-runtime"), "--root", sandbox.work + "/state", "--cgroup-parent", sandbox.cgroupParent, "run", "--bundle", sleeper, "sleeper"],
            stdout: out + ".out", stderr: out + ".err")
        #expect(try waitForStatus(cli, "sleeper", "running"))
        #expect(cli.run(["kill", "sleeper", "9"]).status.code == 0)
        #expect(try wait(pid: runPid).code == 137)
        #expect(cli.run(["list", "-q"]).stdout == "")
    }

    @Test func execRunsInTheContainerWithExitCodeEnvAndCwd() throws {
        let sandbox = try RuntimeSandbox()
        let cli = RuntimeCLI(sandbox: sandbox)
        let bundle = try sandbox.bundle(try sandbox.spec(["sleep", "30"]), name: "ex")
        #expect(cli.run(["run", "--detach", "--bundle", bundle, "ex"]).status.code == 0)
        let result = cli.run(["exec", "--env", "GREETING=hi", "--cwd", "/www", "ex", "sh", "-c", "echo $GREETING; pwd; ps -o pid,args | grep '^ *1 '; exit 5"])
        #expect(result.status.code == 5)
        #expect(result.stdout.replacingOccurrences(of: " ", with: "") == "hi\n/www\n1sleep30\n")
        let missing = cli.run(["exec", "ex", "/no/such/program"])
        #expect(missing.status.code != 0)
        #expect(missing.stderr.contains("/no/such/program: no such file or directory"))
        #expect(cli.run(["delete", "--force", "ex"]).status.code == 0)
        #expect(cli.run(["list", "-q"]).stdout == "")
    }

    @Test func aConfigFromRuncSpecRunsWithOnlyArgsEdited() throws {
        let sandbox = try RuntimeSandbox()
        let cli = RuntimeCLI(sandbox: sandbox)
        let bundle = sandbox.work + "/runc-bundle"
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        #expect(spawnAndWait(["/bin/sh", "-c", "cd \"$0\" && runc spec", bundle], stdout: "/dev/null", stderr: "/dev/null").code == 0)
        try FileManager.default.createSymbolicLink(atPath: bundle + "/rootfs", withDestinationPath: RuntimeTestImage.rootfs)
        let path = bundle + "/config.json"
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var process = json["process"] as! [String: Any]
        process["args"] = ["sh", "-c", "echo hello from $(hostname)"]
        json["process"] = process
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))

        let result = cli.run(["run", "--bundle", bundle, "runc-spec"])
        #expect(result.status.code == 0, "\(result.stderr)")
        #expect(result.stdout.contains("hello from runc"))
        #expect(cli.run(["list", "-q"]).stdout == "")
    }

    @Test func specWritesDockersDefaults() throws {
        let sandbox = try RuntimeSandbox()
        let cli = RuntimeCLI(sandbox: sandbox)
        #expect(cli.run(["spec"], cwd: sandbox.work).status.code == 0)
        let spec = try SpecDecoder.load(Spec.self, path: sandbox.work + "/config.json")
        #expect(spec.linux?.seccomp?.defaultAction == "SCMP_ACT_ERRNO")
        #expect(spec.process?.capabilities?.effective?.contains("CAP_NET_BIND_SERVICE") == true)
        #expect(spec.process?.capabilities?.effective?.contains("CAP_SYS_ADMIN") == false)
        let again = cli.run(["spec"], cwd: sandbox.work)
        #expect(again.status.code != 0)
        #expect(again.stderr.contains("already exists"))
    }

    /// Each broken config: one line naming the field, non-zero exit, nothing left behind.
    @Test(arguments: [
        ("invalid JSON", "config.json: invalid JSON"),
        ("unknown namespace", "config.json: linux.namespaces[1].type: unknown namespace type \"netwrk\""),
        ("missing rootfs", "config.json: root.path"),
        ("impossible mount", "mount /mnt/nowhere: no such device"),
        ("missing bind source", "config.json: mounts[6].source: /no/such/source"),
        ("unknown capability", "config.json: process.capabilities.bounding[0]: unknown capability"),
    ])
    func badInputGetsOneLineAndLeavesNothing(kind: String, message: String) throws {
        let sandbox = try RuntimeSandbox()
        let cli = RuntimeCLI(sandbox: sandbox)
        var spec = try sandbox.spec(["true"])
        spec.linux?.cgroupsPath = sandbox.cgroupParent + "/bad"
        var text: String?
        switch kind {
        case "invalid JSON":
            text = "{\"ociVersion\": \"1.0.2\", \"process\": "
        case "unknown namespace":
            let data = try JSONEncoder().encode(spec)
            text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"network\"", with: "\"netwrk\"")
        case "missing rootfs":
            spec.root = Root(path: "no-such-rootfs")
        case "impossible mount":
            spec.mounts?.append(Mount(destination: "/mnt/nowhere", type: "nosuchfs", source: "none"))
        case "missing bind source":
            spec.mounts?.append(Mount(destination: "/mnt", type: "bind", source: "/no/such/source", options: ["rbind"]))
        default:
            spec.process?.capabilities?.bounding = ["CAP_NOT_A_CAP"]
        }
        let bundle = try sandbox.bundle(spec, name: "bad")
        if let text { try text.write(toFile: bundle + "/config.json", atomically: true, encoding: .utf8) }

        for command in [["run", "--bundle", bundle, "bad"], ["create", "--bundle", bundle, "bad"]] {
            let result = cli.run(command)
            #expect(result.status.code != 0)
            #expect(result.stderr.hasPrefix("swiftlet-runtime: " + message), "\(kind): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(kind): \(result.stderr)")
            #expect(cli.run(["list", "-q"]).stdout == "")
            let stateDir = sandbox.work + "/state"
            let left = ((try? FileManager.default.contentsOfDirectory(atPath: stateDir)) ?? []).filter { !$0.hasPrefix(".") }
            #expect(left.isEmpty, "\(kind): state left: \(left)")
            for dir in sandbox.cgroupDirectories(sandbox.cgroupParent + "/bad") {
                #expect(!FileManager.default.fileExists(atPath: dir), "\(kind): cgroup left: \(dir)")
            }
            // Only this container's mounts: other tests mount in the same namespace meanwhile.
        #expect(!mountinfo().contains(sandbox.work), "mounts left under \(sandbox.work)")
        }
    }
}
