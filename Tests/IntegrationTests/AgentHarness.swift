import Foundation
import KubeAPI
import Kubelet

/// A real `swiftlet run` agent for one test, inside the private namespace scripts/test.sh made:
/// its own node network namespace (pinned to a file, so it outlives an agent killed by a
/// test), root, manifest dir, CNI network, cgroup parent and run dir, all removed by
/// `shutDown()`. The node's iptables rules and cluster DNS address live in its own namespace,
/// so tests run side by side.
final class AgentHarness: @unchecked Sendable {
    let name: String
    let base: String
    let root: String
    let manifests: String
    let cgroupParent: String
    let subnet: String
    let bridge: String
    private(set) var agent: Process?
    /// Whether the agent runs the Ingress controller (on 80 and 443); only the tests of it do.
    var ingress = false
    /// More `swiftlet run` flags (say `--cni-bin-dir`), for tests that need them.
    var extraArguments: [String] = []
    private let logPath: String
    /// The node's network namespace, a bind-mounted nsfs file.
    let netns: String

    /// Each harness gets a distinct /24 and bridge, so tests can run side by side.
    private static let counter = NSLock()
    nonisolated(unsafe) private static var next = 0

    /// With `ownNetwork` false the agent shares the test's network namespace (to reach a
    /// server the test runs on 127.0.0.1); only one such agent may run at a time, and it
    /// serves no cluster DNS, whose 10.96.0.10:53 the DNS tests bind in that same namespace.
    let ownNetwork: Bool

    init(_ name: String, ownNetwork: Bool = true) throws {
        self.ownNetwork = ownNetwork
        Self.counter.lock()
        let index = Self.next
        Self.next += 1
        Self.counter.unlock()
        self.name = name
        let tag = "\(getpid() % 1000)x\(index)"
        base = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-agent-\(name)-\(UUID().uuidString.prefix(6))").path
        root = base + "/root"
        manifests = base + "/manifests"
        cgroupParent = "/swiftlet-test-\(tag)"
        subnet = "10.\(200 + index / 250).\(index % 250).0/24"
        bridge = "swt\(tag)"
        logPath = base + "/agent.log"
        netns = ownNetwork ? base + "/netns" : "/proc/\(getpid())/ns/net"
        for dir in [root, manifests, base + "/cni"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        if ownNetwork { FileManager.default.createFile(atPath: netns, contents: nil) }
        guard !ownNetwork || ImageFixtures.run("/usr/bin/unshare", ["--net=" + netns, "/usr/sbin/ip", "link", "set", "lo", "up"]) == 0 else {
            throw KubeletError("cannot create the node network namespace")
        }
        let conflist = """
            {"cniVersion": "1.0.0", "name": "\(bridge)", "plugins": [{"type": "swiftlet-bridge", "bridge": "\(bridge)",
              "isGateway": true, "isDefaultGateway": true, "ipMasq": true, "hairpinMode": true,
              "ipam": {"type": "host-local", "ranges": [[{"subnet": "\(subnet)"}]], "dataDir": "\(base)/ipam"}}]}
            """
        try conflist.write(toFile: base + "/cni/10-test.conflist", atomically: true, encoding: .utf8)
        var output = Data()
        let status = ImageFixtures.run(builtBinary("swiftlet"), ["images", "import", ImageFixtures.testLayout, "--name", "busybox", "--root", root], output: &output)
        guard status == 0 else { throw KubeletError("images import failed (\(status)): \(String(decoding: output, as: UTF8.self))") }
    }

    /// The pod IPs come from here; the node reaches them over the bridge.
    var gateway: String { subnet.replacingOccurrences(of: ".0/24", with: ".1") }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        process.arguments = [
            "--net=" + netns, builtBinary("swiftlet"), "run", "--manifests", manifests, "--root", root, "--run-dir", base + "/run", "--log-dir", base + "/logs",
            "--cni-conf-dir", base + "/cni", "--cgroup-parent", cgroupParent, "--node-name", "node1", "--pod-cidr", subnet,
        ] + (ownNetwork ? [] : ["--cluster-dns", "none"]) + (ingress ? [] : ["--ingress-http-port", "0", "--ingress-https-port", "0"]) + extraArguments
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)!
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        agent = process
    }

    /// Stops the agent with `signal`, leaving pods running.
    func stop(signal: Int32 = SIGTERM) {
        guard let agent, agent.isRunning else { return }
        kill(agent.processIdentifier, signal)
        agent.waitUntilExit()
        self.agent = nil
    }

    var agentLog: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func write(_ file: String, _ yaml: String) throws {
        let temp = manifests + "/.tmp-" + file
        try yaml.write(toFile: temp, atomically: false, encoding: .utf8)
        rename(temp, manifests + "/" + file)
    }

    func remove(_ file: String) {
        unlink(manifests + "/" + file)
    }

    func pods() -> [Pod] { PodStore(root: root).pods(namespace: nil) }

    func pod(_ name: String) -> Pod? { try? PodStore(root: root).pod(named: name, namespace: "default") }

    func status(_ pod: String, _ container: String) -> ContainerStatus? {
        guard let found = self.pod(pod) else { return nil }
        return PodStore(root: root).status(of: container, in: found)
    }

    /// Polls until `condition` holds or `timeout` passes; returns whether it held.
    @discardableResult
    func wait(_ timeout: TimeInterval = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return condition()
    }

    func running(_ pod: String) -> Bool {
        self.pod(pod)?.status?.phase == .running
            && (self.pod(pod)?.status?.containerStatuses ?? []).allSatisfy { $0.state?.running != nil }
    }

    /// `swiftlet <arguments> --root <root>`: (exit code, stdout+stderr).
    func cli(_ arguments: [String]) -> (status: Int32, output: String) {
        var output = Data()
        // --root goes before any `--`, after which everything is the container's command.
        let status = inNode(builtBinary("swiftlet"), [arguments[0], "--root", root] + arguments.dropFirst(), output: &output)
        return (status, String(decoding: output, as: UTF8.self))
    }

    /// An HTTP GET with curl from the node's namespace; the body, or nil.
    func curl(_ url: String) -> String? {
        var output = Data()
        let status = inNode("/usr/bin/curl", ["-s", "-m", "3", url], output: &output)
        return status == 0 ? String(decoding: output, as: UTF8.self) : nil
    }

    /// Runs a program in the node's network namespace.
    @discardableResult
    func inNode(_ executable: String, _ arguments: [String], output: UnsafeMutablePointer<Data>? = nil) -> Int32 {
        ImageFixtures.run("/usr/bin/nsenter", ["--net=" + netns, executable] + arguments, output: output)
    }

    /// `ip ARGS` in the node's network namespace.
    func ip(_ arguments: String...) -> String {
        var output = Data()
        inNode("/usr/sbin/ip", arguments, output: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Stops the agent, removes every pod (`swiftlet reset`), then the bridge, the cgroup
    /// parent and the files.
    func shutDown() {
        stop()
        _ = cli(["reset"])
        if ownNetwork {
            umount2(netns, Int32(MNT_DETACH))
        } else {
            _ = cli(["proxy", "--cleanup"])
            inNode("/usr/sbin/ip", ["link", "del", bridge])
        }
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            let path = "/sys/fs/cgroup/\(hierarchy)\(cgroupParent)"
            if hierarchy == "unified" || FileManager.default.fileExists(atPath: path) {
                Self.removeCgroupTree(path)
            }
        }
        Self.removeCgroupTree("/sys/fs/cgroup\(cgroupParent)")
        try? FileManager.default.removeItem(atPath: base)
    }

    static func removeCgroupTree(_ path: String) {
        // Whatever a failed test left running in the tree goes first.
        if let procs = try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8) {
            for pid in procs.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
        }
        let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for child in children {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + child, isDirectory: &isDir), isDir.boolValue {
                removeCgroupTree(path + "/" + child)
            }
        }
        for _ in 0..<50 where rmdir(path) != 0 && errno == EBUSY { usleep(20_000) }
    }
}
