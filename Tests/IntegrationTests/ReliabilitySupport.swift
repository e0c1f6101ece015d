import Foundation
import Kubelet

/// How hard the campaigns push: `SWIFTLET_CAMPAIGN=full` (scripts/reliability.sh --full) runs
/// the long forms; CI runs the short ones.
enum Campaign {
    static let isFull = ProcessInfo.processInfo.environment["SWIFTLET_CAMPAIGN"] == "full"

    /// `short` in CI, `full` under SWIFTLET_CAMPAIGN=full.
    static func count(short: Int, full: Int) -> Int { isFull ? full : short }

    /// Appends one line of figures to `$SWIFTLET_CAMPAIGN_REPORT` (scripts/reliability.sh
    /// prints them) and to stderr.
    static func report(_ line: String) {
        FileHandle.standardError.write(Data("campaign: \(line)\n".utf8))
        guard let path = ProcessInfo.processInfo.environment["SWIFTLET_CAMPAIGN_REPORT"] else { return }
        if let handle = FileHandle(forWritingAtPath: path) ?? {
            FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() {
            handle.seekToEndOfFile()
            handle.write(Data((line + "\n").utf8))
            try? handle.close()
        }
    }
}

/// A finished program: its exit status or the signal that killed it, and its two streams.
struct CapturedRun {
    var status: Int32
    var signaled: Bool
    var stdout: String
    var stderr: String

    /// Died of a signal, or exited 128+signal as a shell reports one.
    var crashed: Bool { signaled || status >= 128 }

    var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    /// Runs `executable`, feeding `input` from a file, with `environment` replacing ours when given.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: Data = Data()) -> CapturedRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let dir = ImageFixtures.temporaryDirectory("capture")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/in", contents: input)
        FileManager.default.createFile(atPath: dir + "/out", contents: nil)
        FileManager.default.createFile(atPath: dir + "/err", contents: nil)
        process.standardInput = FileHandle(forReadingAtPath: dir + "/in")
        process.standardOutput = FileHandle(forWritingAtPath: dir + "/out")
        process.standardError = FileHandle(forWritingAtPath: dir + "/err")
        do { try process.run() } catch { return CapturedRun(status: -1, signaled: false, stdout: "", stderr: "\(error)") }
        process.waitUntilExit()
        func text(_ name: String) -> String { String(decoding: FileManager.default.contents(atPath: dir + "/" + name) ?? Data(), as: UTF8.self) }
        return CapturedRun(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                           stdout: text("out"), stderr: text("err"))
    }
}

/// What a node leaves on the host, counted so a campaign can say "nothing left".
struct NodeLeftovers: Equatable, CustomStringConvertible {
    var mounts: [String] = []
    var veths: [String] = []
    var ipamFiles: [String] = []
    var cgroups: [String] = []
    var monitors: [Int32] = []
    var containerDirs: [String] = []
    var podDirs: [String] = []
    var sandboxes: [String] = []
    var natRules: [String] = []
    var logDirs: [String] = []
    var cniResults: [String] = []

    var isEmpty: Bool { self == NodeLeftovers() }

    var description: String {
        var parts: [String] = []
        if !mounts.isEmpty { parts.append("mounts \(mounts)") }
        if !veths.isEmpty { parts.append("veths \(veths)") }
        if !ipamFiles.isEmpty { parts.append("IPAM files \(ipamFiles)") }
        if !cgroups.isEmpty { parts.append("cgroups \(cgroups)") }
        if !monitors.isEmpty { parts.append("monitor processes \(monitors)") }
        if !containerDirs.isEmpty { parts.append("container dirs \(containerDirs)") }
        if !podDirs.isEmpty { parts.append("pod dirs \(podDirs)") }
        if !sandboxes.isEmpty { parts.append("pinned sandboxes \(sandboxes)") }
        if !natRules.isEmpty { parts.append("iptables rules \(natRules)") }
        if !logDirs.isEmpty { parts.append("pod log dirs \(logDirs)") }
        if !cniResults.isEmpty { parts.append("cached CNI results \(cniResults)") }
        return parts.isEmpty ? "nothing" : parts.joined(separator: "; ")
    }
}

extension AgentHarness {
    /// Everything pods left behind on this node: mounts under the node's dirs, veths on its
    /// bridge, IPAM files, pod cgroups, monitor processes, container and pod dirs, pinned
    /// namespaces, pod-specific iptables rules (hostport and masquerade), pod log dirs and
    /// cached CNI results.
    func leftovers(natBaseline: Set<String> = []) -> NodeLeftovers {
        var found = NodeLeftovers()
        let mountinfo = procText("/proc/self/mountinfo")
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { continue }
            let point = String(fields[4])
            if point.hasPrefix(base + "/") && point != netns { found.mounts.append(point) }
        }
        found.veths = ip("-o", "link", "show", "master", bridge).split(separator: "\n").compactMap {
            $0.split(separator: ":").dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let ipamDir = base + "/ipam/" + bridge
        found.ipamFiles = ((try? FileManager.default.contentsOfDirectory(atPath: ipamDir)) ?? [])
            .filter { $0.first?.isNumber == true }
        for hierarchy in ["", "/memory", "/pids", "/cpu,cpuacct", "/unified"] {
            let path = "/sys/fs/cgroup" + hierarchy + cgroupParent
            let children = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter {
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: path + "/" + $0, isDirectory: &isDir) && isDir.boolValue
            }
            found.cgroups += children.map { hierarchy + cgroupParent + "/" + $0 }
        }
        found.monitors = monitorProcesses()
        found.containerDirs = (try? FileManager.default.contentsOfDirectory(atPath: root + "/containers")) ?? []
        found.podDirs = (try? FileManager.default.contentsOfDirectory(atPath: root + "/pods")) ?? []
        found.sandboxes = (try? FileManager.default.contentsOfDirectory(atPath: base + "/run/sandboxes")) ?? []
        found.natRules = Set(natRules()).subtracting(natBaseline).sorted()
        found.logDirs = (try? FileManager.default.contentsOfDirectory(atPath: base + "/logs")) ?? []
        found.cniResults = (try? FileManager.default.contentsOfDirectory(atPath: root + "/cni/results")) ?? []
        return found
    }

    /// The node's nat table, without counters, for a before/after comparison.
    func natRules() -> [String] {
        var output = Data()
        inNode("/usr/sbin/iptables", ["-t", "nat", "-S"], output: &output)
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// `swiftlet monitor` processes serving this node's root.
    func monitorProcesses() -> [Int32] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.filter { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let args = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return args.count > 1 && args[0].hasSuffix("swiftlet") && args[1] == "monitor" && args.contains { $0.hasPrefix(root) }
        }
    }

    /// The agent's open file descriptors and resident set size (kB).
    func agentResources() -> (fds: Int, rssKB: Int)? {
        guard let pid = agentPID else { return nil }
        let fds = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }?
            .split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? 0
        return (fds, rss)
    }

    /// Children of the agent that exited and were never waited for (a CNI plugin, an
    /// iptables-restore, a monitor's launcher): each one a leaked process-table slot.
    func agentZombies() -> [Int32] {
        guard let agent = agentPID else { return [] }
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.filter { pid in
            // After the command name's closing parenthesis: state, then the parent's pid.
            let stat = procText("/proc/\(pid)/stat")
            guard let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && fields[0] == "Z" && Int32(fields[1]) == agent
        }
    }

    /// The pid of `swiftlet run` itself (the harness starts it through nsenter, which execs).
    var agentPID: Int32? {
        guard let agent, agent.isRunning else { return nil }
        return agent.processIdentifier
    }

    /// The IDs of every container instance on the node, by pod and container name.
    func containerIDs() -> [String: [String]] {
        var byName: [String: [String]] = [:]
        for id in ContainerFiles.all(root: root) {
            guard let labels = ContainerFiles(root: root, id: id).labels() else { continue }
            byName["\(labels.podName)/\(labels.containerName)", default: []].append(id)
        }
        return byName
    }
}
