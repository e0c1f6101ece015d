import Foundation
import Testing
import Runtime

/// Isolation and limits of real containers from the busybox test bundle, through the
/// library (issue #2 §6).
@Suite(.enabled(if: isRoot), .serialized)
struct RuntimeIntegrationTests {
    @Test func containerIsPID1AndSeesNoHostProcess() throws {
        let sandbox = try RuntimeSandbox()
        let spec = try sandbox.spec(["sh", "-c", "echo pid=$$; for p in /proc/[0-9]*; do echo proc=${p#/proc/}; done"])
        let outcome = try sandbox.run(spec)
        #expect(outcome.exit.code == 0)
        #expect(outcome.output.contains("pid=1\n"))
        // Only the shell itself: our own PID (the test runner) is not there.
        let pids = outcome.output.split(separator: "\n").filter { $0.hasPrefix("proc=") }.map { $0.dropFirst(5) }
        #expect(pids == ["1"], "processes seen: \(pids)")
    }

    @Test func containerSeesOnlyItsRootfs() throws {
        let sandbox = try RuntimeSandbox()
        let marker = sandbox.work + "/host-marker"
        _ = FileManager.default.createFile(atPath: marker, contents: Data("host".utf8))
        let outcome = try sandbox.run(try sandbox.spec(["sh", "-c", "ls /; cat \(marker) 2>/dev/null || echo no-marker"]))
        let entries = outcome.output.split(separator: "\n").map(String.init)
        #expect(Array(entries.dropLast()).sorted() == ["bin", "dev", "etc", "proc", "root", "sys", "tmp", "www"])
        #expect(entries.last == "no-marker")
    }

    @Test func hostnameIsSet() throws {
        let sandbox = try RuntimeSandbox()
        var spec = try sandbox.spec(["hostname"])
        spec.hostname = "swiftlet-test-host"
        let outcome = try sandbox.run(spec)
        #expect(outcome.output == "swiftlet-test-host\n")
    }

    @Test func maskedPathsReadEmptyAndProcSysIsReadOnly() throws {
        let sandbox = try RuntimeSandbox()
        let script = """
            echo timer_list=$(cat /proc/timer_list | wc -c); echo keys=$(cat /proc/keys | wc -c)
            ls /sys/firmware | wc -l | sed 's/^/firmware=/'
            echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo sys=writable || echo sys=readonly
            """
        let outcome = try sandbox.run(try sandbox.spec(["sh", "-c", script]))
        // Both are non-empty on the host.
        #expect(outcome.output.contains("timer_list=0\n"))
        #expect(outcome.output.contains("keys=0\n"))
        #expect(outcome.output.contains("firmware=0\n"))
        #expect(outcome.output.contains("sys=readonly\n"))
    }

    @Test func capabilitiesNoNewPrivsAndSeccompHold() throws {
        let sandbox = try RuntimeSandbox()
        var spec = try sandbox.spec(["sh", "-c", """
            grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status
            mount -t tmpfs none /tmp 2>/dev/null && echo mount=ok || echo mount=refused
            ip link add dummy0 type dummy 2>/dev/null && echo link=ok || echo link=refused
            mkdir /dev/shm/x 2>&1 && echo mkdir=ok || echo mkdir=refused
            """])
        // Docker's profile, minus mkdir: a syscall the profile denies fails with EPERM.
        var seccomp = try SpecDecoder.decode(Spec.self, from: Array(DefaultSpec.json.utf8), file: "default").linux!.seccomp!
        seccomp.syscalls![0].names.removeAll { $0 == "mkdir" || $0 == "mkdirat" }
        spec.linux?.seccomp = seccomp
        let outcome = try sandbox.run(spec)
        // The bundle's set: CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10).
        #expect(outcome.output.contains("CapEff:\t0000000020000420\n"))
        #expect(outcome.output.contains("NoNewPrivs:\t1\n"))
        #expect(outcome.output.contains("Seccomp:\t2\n"))
        #expect(outcome.output.contains("mount=refused\n"))
        #expect(outcome.output.contains("link=refused\n"))
        #expect(outcome.output.contains("Operation not permitted"))
        #expect(outcome.output.contains("mkdir=refused\n"))

        // Control: without the profile the same mkdir works, so it was the filter.
        spec.linux?.seccomp = nil
        let control = try sandbox.run(spec)
        #expect(control.output.contains("mkdir=ok\n"))
        #expect(control.output.contains("Seccomp:\t0\n"))
    }

    @Test func memoryLimitOOMKillIsReported() throws {
        let sandbox = try RuntimeSandbox()
        var spec = try sandbox.spec(["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"])
        spec.linux?.resources = LinuxResources(memory: LinuxMemory(limit: 32 << 20, swap: 32 << 20))
        let outcome = try sandbox.run(spec)
        #expect(outcome.exit.signal == SIGKILL)
        #expect(outcome.exit.code == 137)
        #expect(outcome.state.oomKilled)
        #expect(outcome.state.status == .stopped)
    }

    @Test func aSmallProgramUnderTheSameLimitIsNotOOMKilled() throws {
        let sandbox = try RuntimeSandbox()
        var spec = try sandbox.spec(["dd", "if=/dev/zero", "of=/dev/null", "bs=1M", "count=4"])
        spec.linux?.resources = LinuxResources(memory: LinuxMemory(limit: 32 << 20, swap: 32 << 20))
        let outcome = try sandbox.run(spec)
        #expect(outcome.exit.code == 0)
        #expect(!outcome.state.oomKilled)
    }

    @Test func pidsLimitStopsAForkLoop() throws {
        let sandbox = try RuntimeSandbox()
        var spec = try sandbox.spec(["sh", "-c", """
            ( i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i + 1)); done; echo all-started ) 2>&1
            set -- /proc/[0-9]*; echo count=$#
            kill -KILL -1
            """])
        spec.linux?.resources = LinuxResources(pids: LinuxPids(limit: 20))
        let outcome = try sandbox.run(spec)
        #expect(!outcome.output.contains("all-started"))
        #expect(outcome.output.contains("can't fork") || outcome.output.contains("Resource temporarily unavailable"))
        let count = outcome.output.split(separator: "\n").first { $0.hasPrefix("count=") }.flatMap { Int($0.dropFirst(6)) }
        #expect(count != nil && count! <= 20, "\(outcome.output)")
    }

    @Test func exitCodesPropagate() throws {
        let sandbox = try RuntimeSandbox()
        #expect(try sandbox.run(try sandbox.spec(["sh", "-c", "exit 7"])).exit == ExitStatus(exitCode: 7))
        #expect(try sandbox.run(try sandbox.spec(["true"])).exit.code == 0)
        // A program that is not there: the container fails before exec, with one clear line.
        #expect(throws: RuntimeError.self) { try sandbox.run(try sandbox.spec(["/no/such/program"])) }
    }

    @Test func signalsPropagate() throws {
        let sandbox = try RuntimeSandbox()
        let bundle = try sandbox.bundle(try sandbox.spec(["sleep", "30"]), name: "sig")
        let pid = try sandbox.runtime.create(id: "sig", bundle: bundle, options: CreateOptions(startImmediately: true))
        #expect(try sandbox.runtime.state(id: "sig").status == .running)
        try sandbox.runtime.kill(id: "sig", signal: SIGKILL)
        let exit = try sandbox.runtime.wait(id: "sig")
        #expect(exit.signal == SIGKILL)
        #expect(exit.code == 137)
        #expect(pid > 0)
        let state = try sandbox.runtime.state(id: "sig")
        #expect(state.status == .stopped)
        #expect(state.exitStatus == exit)
        #expect(!state.oomKilled)
        try sandbox.runtime.delete(id: "sig")
    }

    @Test func twoContainersJoiningOneNetworkNamespaceTalkOverLoopback() throws {
        let sandbox = try RuntimeSandbox()
        let server = try sandbox.bundle(try sandbox.spec(["sh", "-c", "echo hello-from-server | nc -l -p 9000"]), name: "server")
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let serverPid = try sandbox.runtime.create(
            id: "server", bundle: server, options: CreateOptions(stdout: fds[1], startImmediately: true))
        close(fds[1])
        defer { close(fds[0]) }

        var clientSpec = try sandbox.spec(["sh", "-c", "for i in $(seq 100); do nc 127.0.0.1 9000 && exit 0; sleep 0.1; done; exit 1"])
        let joined = (clientSpec.linux?.namespaces ?? []).map {
            $0.type == .network ? LinuxNamespace(type: .network, path: "/proc/\(serverPid)/ns/net") : $0
        }
        clientSpec.linux?.namespaces = joined
        let client = try sandbox.run(clientSpec, id: "client")
        #expect(client.exit.code == 0)
        #expect(client.output == "hello-from-server\n")
        #expect(try sandbox.runtime.wait(id: "server").code == 0)
        try sandbox.runtime.delete(id: "server")
    }

    @Test func execJoinsTheRunningContainer() throws {
        let sandbox = try RuntimeSandbox()
        var spec = try sandbox.spec(["sleep", "30"])
        spec.hostname = "exec-target"
        let bundle = try sandbox.bundle(spec, name: "target")
        let initPid = try sandbox.runtime.create(id: "target", bundle: bundle, options: CreateOptions(startImmediately: true))
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        var process = spec.process!
        process.args = ["sh", "-c", "hostname; ps -o pid,args | grep '^ *1 '; grep -E '^(CapEff|NoNewPrivs):' /proc/self/status; exit 3"]
        let pid = try sandbox.runtime.exec(id: "target", process: process, options: ExecOptions(stdout: fds[1], stderr: fds[1]))
        close(fds[1])
        let output = readAll(fds[0])
        close(fds[0])
        #expect(try wait(pid: pid).code == 3)
        #expect(output.replacingOccurrences(of: " ", with: "") == "exec-target\n1sleep30\nCapEff:\t0000000020000420\nNoNewPrivs:\t1\n")
        try sandbox.runtime.delete(id: "target", force: true)
        #expect(try wait(pid: initPid).signal == SIGKILL)
    }

    @Test func execWithATerminalSendsThePtyOverTheConsoleSocket() throws {
        let sandbox = try RuntimeSandbox()
        let spec = try sandbox.spec(["sleep", "30"])
        let bundle = try sandbox.bundle(spec, name: "tty")
        try sandbox.runtime.create(id: "tty", bundle: bundle, options: CreateOptions(startImmediately: true))
        let console = try ConsoleListener(directory: sandbox.work)
        var process = spec.process!
        process.terminal = true
        process.args = ["sh", "-c", "tty; test -t 0 && echo stdin-is-a-tty"]
        let pid = try sandbox.runtime.exec(id: "tty", process: process, options: ExecOptions(tty: true, consoleSocket: console.path))
        let master = try console.receiveMaster()
        let output = readAll(master)  // EIO once the process (the last holder of the pty) exits
        close(master)
        #expect(try wait(pid: pid).code == 0)
        #expect(output.contains("/dev/pts/0"))
        #expect(output.contains("stdin-is-a-tty"))
        try sandbox.runtime.delete(id: "tty", force: true)
    }

    @Test func noPivotMovesTheRootfsAndChroots() throws {
        let sandbox = try RuntimeSandbox()
        let bundle = try sandbox.bundle(try sandbox.spec(["sh", "-c", "ls /; hostname"]), name: "nopivot")
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        try sandbox.runtime.create(id: "nopivot", bundle: bundle, options: CreateOptions(stdout: fds[1], startImmediately: true, noPivot: true))
        close(fds[1])
        let output = readAll(fds[0])
        close(fds[0])
        #expect(try sandbox.runtime.wait(id: "nopivot").code == 0)
        // Only the image's tree (other tests may add mount points such as /mnt to the shared
        // rootfs), then the hostname.
        let lines = output.split(separator: "\n").map(String.init)
        #expect(Set(["bin", "dev", "etc", "proc", "www"]).isSubset(of: Set(lines)), "\(output)")
        #expect(!lines.contains("usr") && !lines.contains("home") && !lines.contains("work"), "host entries: \(output)")
        #expect(lines.last == "swiftlet")
        try sandbox.runtime.delete(id: "nopivot")
    }

    @Test func hooksGetTheStateOnStdin() throws {
        let sandbox = try RuntimeSandbox()
        var spec = try sandbox.spec(["true"])
        let prestart = sandbox.work + "/prestart.json"
        let poststop = sandbox.work + "/poststop.json"
        spec.hooks = Hooks(
            prestart: [Hook(path: "/bin/sh", args: ["sh", "-c", "cat > \(prestart)"])],
            poststop: [Hook(path: "/bin/sh", args: ["sh", "-c", "cat > \(poststop)"])])
        let bundle = try sandbox.bundle(spec, name: "hooked")
        let pid = try sandbox.runtime.create(id: "hooked", bundle: bundle)
        let before = try JSONDecoder().decode(ContainerState.self, from: Data(contentsOf: URL(fileURLWithPath: prestart)))
        #expect(before.id == "hooked")
        #expect(before.pid == pid)
        #expect(before.status == .created)
        try sandbox.runtime.start(id: "hooked")
        #expect(try sandbox.runtime.wait(id: "hooked").code == 0)
        try sandbox.runtime.delete(id: "hooked")
        let after = try JSONDecoder().decode(ContainerState.self, from: Data(contentsOf: URL(fileURLWithPath: poststop)))
        #expect(after.id == "hooked")
        #expect(after.status == .stopped)
    }

    @Test func symlinksInTheImageCannotPlaceMountsOnTheHost() throws {
        let sandbox = try RuntimeSandbox()
        let rootfs = sandbox.work + "/rootfs"
        #expect(spawnAndWait(["/bin/cp", "-a", RuntimeTestImage.rootfs, rootfs], stdout: "/dev/null", stderr: "/dev/null").code == 0)
        let hostTarget = sandbox.work + "/host-target"
        try FileManager.default.createDirectory(atPath: hostTarget, withIntermediateDirectories: true)
        // Absolute and relative links out of the rootfs.
        try FileManager.default.createSymbolicLink(atPath: rootfs + "/escape", withDestinationPath: hostTarget)
        try FileManager.default.createSymbolicLink(atPath: rootfs + "/up", withDestinationPath: "../../../../../..\(hostTarget)")
        var spec = try sandbox.spec(["sh", "-c", "ls -d /escape/inside /up/also && echo mounted"])
        spec.root = Root(path: rootfs, readonly: false)
        spec.mounts? += [
            Mount(destination: "/escape/inside", type: "tmpfs", source: "tmpfs"),
            Mount(destination: "/up/also", type: "tmpfs", source: "tmpfs"),
        ]
        let outcome = try sandbox.run(spec)
        #expect(outcome.exit.code == 0)
        #expect(outcome.output.contains("mounted"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: hostTarget).isEmpty)
        #expect(FileManager.default.fileExists(atPath: rootfs + hostTarget + "/inside"))
    }
}
