import Foundation
import NodeSupport
import Runtime
@testable import Images

/// The busybox image of scripts/make-test-image.sh, built once per test process and
/// removed at exit.
enum RuntimeTestImage {
    static let directory: String = {
        // Inside scripts/in-private-ns.sh, /run is a tmpfs of the test's own mount namespace:
        // the image goes away with it even if the process exits without running atexit.
        let privateRun = ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"
        let base = privateRun ? "/run" : FileManager.default.temporaryDirectory.path
        let dir = base + "/swiftlet-runtime-image-\(getpid())"
        let status = spawnAndWait(["/bin/bash", packageRoot + "/scripts/make-test-image.sh", dir], stdout: "/dev/null", stderr: "/dev/null")
        precondition(status.code == 0, "make-test-image.sh failed")
        atexit { try? FileManager.default.removeItem(atPath: RuntimeTestImage.directory) }
        return dir
    }()

    static var bundle: String { directory + "/bundle" }
    static var rootfs: String { bundle + "/rootfs" }

    /// The bundle's config.json, decoded.
    static func spec() throws -> Spec {
        try SpecDecoder.load(Spec.self, path: bundle + "/config.json")
    }
}

/// One test's runtime: a temp state root, a `/swiftlet-test-<random>` cgroup parent, and
/// cleanup of both (and any container left) when the test ends.
final class RuntimeSandbox {
    let work: String
    let cgroupParent: String
    let runtime: ContainerRuntime

    init() throws {
        work = FileManager.default.temporaryDirectory.path + "/swiftlet-runtime-test-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        cgroupParent = "/swiftlet-test-\(UInt32.random(in: 0...UInt32.max))"
        var runtime = ContainerRuntime(root: work + "/state")
        runtime.cgroupParent = cgroupParent
        self.runtime = runtime
    }

    deinit {
        for state in (try? runtime.list()) ?? [] {
            try? runtime.delete(id: state.id, force: true)
        }
        try? Cgroups.manager(path: cgroupParent).destroy()
        try? FileManager.default.removeItem(atPath: work)
    }

    /// The test image's spec running `args` (rootfs by absolute path).
    func spec(_ args: [String]) throws -> Spec {
        var spec = try RuntimeTestImage.spec()
        spec.process?.args = args
        spec.root = Root(path: RuntimeTestImage.rootfs, readonly: true)
        return spec
    }

    /// Writes `spec` as the config.json of a new bundle directory.
    func bundle(_ spec: Spec, name: String = UUID().uuidString) throws -> String {
        let dir = work + "/bundle-" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: dir + "/config.json"))
        return dir
    }

    /// Every cgroup directory the container's cgroup path could have on this host.
    func cgroupDirectories(_ path: String) -> [String] {
        let root = "/sys/fs/cgroup"
        if FileManager.default.fileExists(atPath: root + "/cgroup.controllers") { return [root + path] }
        let hierarchies = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).map { root + "/" + $0 }
            .filter { FileManager.default.fileExists(atPath: $0 + "/cgroup.procs") }
        return hierarchies.map { $0 + path }
    }

    struct Outcome {
        var output: String
        var exit: ExitStatus
        var state: ContainerState
    }

    /// Runs the container to completion through the library (create with immediate start,
    /// wait, state, delete), with stdout+stderr captured.
    func run(_ spec: Spec, id: String = "c\(UInt32.random(in: 0...UInt32.max))") throws -> Outcome {
        let bundle = try self.bundle(spec, name: id)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SystemError(errno: errno, operation: "pipe", detail: "") }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(devNull) }
        do {
            try runtime.create(id: id, bundle: bundle, options: CreateOptions(
                stdin: devNull, stdout: fds[1], stderr: fds[1], startImmediately: true))
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        let output = readAll(fds[0])
        close(fds[0])
        let exit = try runtime.wait(id: id)
        let state = try runtime.state(id: id)
        try runtime.delete(id: id)
        return Outcome(output: output, exit: exit, state: state)
    }
}

/// Reads a fd to EOF.
func readAll(_ fd: Int32) -> String {
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &buffer, buffer.count)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        data.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: data, as: UTF8.self)
}

/// Runs a program with an empty signal mask (the test runner's threads block signals)
/// and stdout/stderr into files; returns its exit status.
@discardableResult
func spawnAndWait(_ args: [String], stdout: String, stderr: String, stdin: String = "/dev/null") -> ExitStatus {
    guard let pid = try? spawnProcess(args, stdout: stdout, stderr: stderr, stdin: stdin) else {
        return ExitStatus(exitCode: 127)
    }
    return (try? wait(pid: pid)) ?? ExitStatus(exitCode: 127)
}

func spawnProcess(_ args: [String], stdout: String, stderr: String, stdin: String = "/dev/null") throws -> pid_t {
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attr, &empty)
    posix_spawnattr_setsigdefault(&attr, &all)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv = args.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, args[0], &actions, &attr, argv, environ)
    guard rc == 0 else { throw SystemError(errno: rc, operation: "posix_spawn", detail: args[0]) }
    return pid
}

/// The swiftlet-runtime binary, run with `--root` of a sandbox.
struct RuntimeCLI {
    let sandbox: RuntimeSandbox
    var binary: String { builtBinary("swiftlet-runtime") }

    struct Result {
        var status: ExitStatus
        var stdout: String
        var stderr: String
    }

    func run(_ args: [String], cwd: String? = nil) -> Result {
        let out = sandbox.work + "/cli-\(UInt32.random(in: 0...UInt32.max))"
        let argv = [binary, "--root", sandbox.work + "/state", "--cgroup-parent", sandbox.cgroupParent] + args
        let command = cwd.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0] + argv } ?? argv
        let status = spawnAndWait(command, stdout: out + ".out", stderr: out + ".err")
        let stdout = (try? String(contentsOfFile: out + ".out", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: out + ".err", encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: out + ".out")
        try? FileManager.default.removeItem(atPath: out + ".err")
        return Result(status: status, stdout: stdout, stderr: stderr)
    }
}
