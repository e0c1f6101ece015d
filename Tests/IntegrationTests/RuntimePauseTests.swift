import Foundation
import Testing
import Runtime

/// `pause` / `resume` through the CLI, with runc beside swiftlet-runtime: the container's
/// cgroup is frozen, `state` says paused, and kill/delete of a paused container behave as
/// runc's do.
@Suite(.enabled(if: isRoot), .serialized)
struct RuntimePauseTests {
    /// The file that says whether the cgroup is frozen, and the value that means frozen.
    func freezerFile(_ sandbox: RuntimeSandbox, _ cgroupPath: String) -> (path: String, frozen: String) {
        if FileManager.default.fileExists(atPath: "/sys/fs/cgroup/freezer") {
            return ("/sys/fs/cgroup/freezer" + cgroupPath + "/freezer.state", "FROZEN")
        }
        return ("/sys/fs/cgroup" + cgroupPath + "/cgroup.freeze", "1")
    }

    func read(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The init's progress counter: the container's shell bumps a file every 10 ms.
    func counter(_ rootfsFile: String) -> Int { Int(read(rootfsFile)) ?? -1 }

    @Test func pauseFreezesResumeThawsAndKillOfAPausedContainerKillsIt() throws {
        let sandbox = try RuntimeSandbox()
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "pause-\(cli.name)"
            // The container counts into a tmpfs file we read from the host through /proc/PID/root.
            var spec = try sandbox.spec(["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/count; usleep 10000; done"])
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/" + id
            spec.mounts = (spec.mounts ?? []) + [Mount(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev"])]
            let (create, start) = try cli.createAndStart(spec, id: id)
            #expect(create.status.code == 0, "\(cli.name) create: \(create.stderr)")
            #expect(start?.status.code == 0, "\(cli.name) start: \(start?.stderr ?? "")")
            #expect(cli.status(id) == "running", "\(cli.name)")
            let pid = cli.pid(id)
            let count = "/proc/\(pid)/root/tmp/count"
            var moving = false
            for _ in 0..<300 where !moving { moving = counter(count) > 2; usleep(10_000) }
            #expect(moving, "\(cli.name): the container never counted")

            let paused = cli.run(["pause", id])
            #expect(paused.status.code == 0, "\(cli.name) pause: \(paused.stderr)")
            #expect(cli.status(id) == "paused", "\(cli.name)")
            let freezer = freezerFile(sandbox, spec.linux!.cgroupsPath!)
            #expect(read(freezer.path) == freezer.frozen, "\(cli.name): \(freezer.path)")
            // Frozen: the counter stands still (read twice, 200 ms apart).
            let frozenAt = counter(count)
            usleep(200_000)
            #expect(counter(count) == frozenAt, "\(cli.name): the container kept running while paused")
            // What a paused container refuses, as runc does.
            #expect(cli.run(["pause", id]).status.code != 0, "\(cli.name): pause of a paused container")
            #expect(cli.run(["delete", id]).status.code != 0, "\(cli.name): delete of a paused container")
            #expect(cli.status(id) == "paused", "\(cli.name)")

            let resumed = cli.run(["resume", id])
            #expect(resumed.status.code == 0, "\(cli.name) resume: \(resumed.stderr)")
            #expect(cli.status(id) == "running", "\(cli.name)")
            var movedAgain = false
            for _ in 0..<300 where !movedAgain { movedAgain = counter(count) > frozenAt; usleep(10_000) }
            #expect(movedAgain, "\(cli.name): the container did not run on after resume")
            #expect(cli.run(["resume", id]).status.code != 0, "\(cli.name): resume of a running container")

            // SIGKILL to a paused container kills it (the runtime thaws it for the signal).
            #expect(cli.run(["pause", id]).status.code == 0)
            #expect(cli.run(["kill", id, "KILL"]).status.code == 0, "\(cli.name): kill of a paused container")
            #expect(cli.waitFor(id, "stopped"), "\(cli.name): a SIGKILLed paused container did not stop")
            #expect(cli.run(["delete", id]).status.code == 0, "\(cli.name)")
            #expect(cli.status(id) == nil)
        }
        if OCIRuntimeCLI.peer("runc", sandbox) == nil { print("runc not installed: swiftlet-runtime checked alone") }
    }

    @Test func deleteForceRemovesAPausedContainerAndItsCgroup() throws {
        let sandbox = try RuntimeSandbox()
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "pausedel-\(cli.name)"
            var spec = try sandbox.spec(["sleep", "30"])
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/" + id
            let (create, start) = try cli.createAndStart(spec, id: id)
            #expect(create.status.code == 0 && start?.status.code == 0, "\(cli.name): \(create.stderr)")
            let pid = cli.pid(id)
            #expect(cli.run(["pause", id]).status.code == 0, "\(cli.name)")
            let forced = cli.run(["delete", "--force", id])
            #expect(forced.status.code == 0, "\(cli.name) delete --force: \(forced.stderr)")
            #expect(cli.status(id) == nil, "\(cli.name)")
            #expect(kill(pid, 0) != 0, "\(cli.name): the paused init survived delete --force")
            for dir in sandbox.cgroupDirectories(spec.linux!.cgroupsPath!) {
                #expect(!FileManager.default.fileExists(atPath: dir), "\(cli.name) left \(dir)")
            }
        }
    }

    @Test func killAllOfAPausedContainerKillsEveryProcess() throws {
        let sandbox = try RuntimeSandbox()
        for cli in OCIRuntimeCLI.compared(sandbox) {
            let id = "pauseall-\(cli.name)"
            var spec = try sandbox.spec(["sh", "-c", "sleep 30 & sleep 30 & wait"])
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/" + id
            let (create, start) = try cli.createAndStart(spec, id: id)
            #expect(create.status.code == 0 && start?.status.code == 0, "\(cli.name): \(create.stderr)")
            #expect(cli.run(["pause", id]).status.code == 0, "\(cli.name)")
            #expect(cli.run(["kill", "--all", id, "KILL"]).status.code == 0, "\(cli.name)")
            #expect(cli.waitFor(id, "stopped"), "\(cli.name): kill --all did not stop a paused container")
            #expect(cli.run(["delete", id]).status.code == 0, "\(cli.name)")
            for dir in sandbox.cgroupDirectories(spec.linux!.cgroupsPath!) {
                #expect(!FileManager.default.fileExists(atPath: dir), "\(cli.name) left \(dir)")
            }
        }
    }

    @Test func aCreatedContainerCanBePausedAndStartsOnlyOnceResumed() throws {
        let sandbox = try RuntimeSandbox()
        let cli = OCIRuntimeCLI.swiftlet(sandbox)
        var spec = try sandbox.spec(["sleep", "30"])
        spec.linux?.cgroupsPath = sandbox.cgroupParent + "/pc"
        let bundle = try sandbox.bundle(spec, name: "pc")
        #expect(cli.run(["create", "--bundle", bundle, "pc"]).status.code == 0)
        #expect(cli.run(["pause", "pc"]).status.code == 0)
        #expect(cli.status("pc") == "paused")
        let start = cli.run(["start", "pc"])
        #expect(start.status.code != 0)
        #expect(start.stderr == "swiftlet-runtime: cannot start container \"pc\": it is paused\n")
        #expect(cli.run(["resume", "pc"]).status.code == 0)
        #expect(cli.status("pc") == "created")
        #expect(cli.run(["start", "pc"]).status.code == 0)
        #expect(cli.status("pc") == "running")
        #expect(cli.run(["delete", "--force", "pc"]).status.code == 0)
    }
}
