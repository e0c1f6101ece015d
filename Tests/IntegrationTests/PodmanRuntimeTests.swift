import Foundation
import Testing
import Runtime

/// podman driving swiftlet-runtime as its OCI runtime (`--runtime`, through conmon), beside
/// podman driving runc: run, a detached container paused and unpaused, exec, rm -f. Its
/// storage, run dir and cgroups are the test's own (vfs driver, a /swiftlet-test-* parent);
/// only inside scripts/in-private-ns.sh.
@Suite(
    .enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/podman")),
    .serialized)
struct PodmanRuntimeTests {
    final class Podman {
        let runtime: String
        /// podman refuses a run root of more than 50 characters: a short directory of its own.
        let base = "/tmp/pdm-\(UInt32.random(in: 0...UInt32.max))"

        init(runtime: String) {
            self.runtime = runtime
            try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: base) }

        func run(_ args: [String]) -> RuntimeCLI.Result {
            let out = base + "/out-\(UInt32.random(in: 0...UInt32.max))"
            let argv = [
                "/usr/bin/podman", "--cgroup-manager=cgroupfs", "--runtime", runtime, "--root", base + "/storage",
                "--runroot", base + "/run", "--tmpdir", base + "/tmp", "--storage-driver", "vfs", "--events-backend", "file",
            ] + args
            // A pull writes containers/image's blob-info cache to /var/lib/containers/cache
            // whatever --root says: give it a /var/lib of its own, in a mount namespace of its own.
            let hidden = "mount -t tmpfs tmpfs /var/lib && exec \"$@\""
            let command = args.first == "pull"
                ? ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", hidden, "sh"] + argv : argv
            let status = spawnAndWait(command, stdout: out + ".out", stderr: out + ".err")
            let stdout = (try? String(contentsOfFile: out + ".out", encoding: .utf8)) ?? ""
            let stderr = (try? String(contentsOfFile: out + ".err", encoding: .utf8)) ?? ""
            return RuntimeCLI.Result(status: status, stdout: stdout, stderr: stderr)
        }
    }

    @Test func podmanRunsPausesAndExecsThroughTheRuntime() throws {
        let sandbox = try RuntimeSandbox()
        let runtimes = [builtBinary("swiftlet-runtime")] + (OCIRuntimeCLI.peer("runc", sandbox).map { [$0.argv[0]] } ?? [])
        for runtime in runtimes {
            let podman = Podman(runtime: runtime)
            let name = (runtime as NSString).lastPathComponent
            let pull = podman.run(["pull", "-q", "oci:" + RuntimeTestImage.directory + "/oci"])
            #expect(pull.status.code == 0, "\(name) pull: \(pull.stderr)")
            let image = pull.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let parent = ["--cgroup-parent", sandbox.cgroupParent, "--network", "none"]

            let hello = podman.run(["run", "--rm"] + parent + [image, "sh", "-c", "echo hello; id -u"])
            #expect(hello.status.code == 0 && hello.stdout == "hello\n0\n", "\(name) run: \(hello.stdout) \(hello.stderr)")

            let started = podman.run(["run", "-d"] + parent + [image, "sleep", "60"])
            #expect(started.status.code == 0, "\(name) run -d: \(started.stderr)")
            let id = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(podman.run(["pause", id]).status.code == 0, "\(name) pause")
            #expect(podman.run(["inspect", "--format", "{{.State.Status}}", id]).stdout == "paused\n", "\(name)")
            #expect(podman.run(["unpause", id]).status.code == 0, "\(name) unpause")
            #expect(podman.run(["inspect", "--format", "{{.State.Status}}", id]).stdout == "running\n", "\(name)")
            let exec = podman.run(["exec", id, "echo", "exec-ok"])
            #expect(exec.stdout == "exec-ok\n", "\(name) exec: \(exec.stderr)")
            #expect(podman.run(["rm", "-f", "-t", "0", id]).status.code == 0, "\(name) rm")
            #expect(podman.run(["ps", "-aq"]).stdout == "", "\(name): containers left")
            #expect(!procText("/proc/self/mountinfo").contains(podman.base), "\(name): mounts left under \(podman.base)")
        }
    }
}
