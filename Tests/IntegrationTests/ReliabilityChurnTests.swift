import Foundation
import KubeAPI
import Kubelet
import Testing

/// Issue #8 §2: churn. Pods created and deleted through the manifest dir, round after round,
/// leave nothing behind and the agent's fds and memory stay flat; 100 pods at once all run
/// and all answer HTTP.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"), .serialized)
struct ReliabilityChurnTests {
    /// A pod whose init leaves at once on SIGTERM (so a delete costs no grace period) and
    /// serves the image's /www on 8080 meanwhile.
    static func web(_ name: String) -> String {
        TestManifests.pod(name, grace: 5, containers: TestManifests.container(command: ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"]))
    }

    /// Fds the agent may open or close between two quiet moments without leaking: its
    /// inotify, sockets and log files are long-lived, so a per-cycle leak shows as +cycles.
    static let fdSlack = 4
    /// RSS the allocator may keep for itself, plus a little per cycle. Measured: +0.2 MB over
    /// 40 cycles, +0.6 MB over 490; a leak of 12 kB a cycle (one pod's manifest, status and
    /// worker) breaks the full form, of 100 kB a cycle the short one.
    static let rssSlackKB = 4 * 1024
    static let rssPerCycleKB = 4

    @Test func podCreateDeleteCyclesLeaveNothingAndTheAgentStaysFlat() throws {
        let batch = 5
        let rounds = Campaign.count(short: 10, full: 100)
        let warmUpRounds = 2
        let node = try AgentHarness("churn")
        defer { node.shutDown() }
        try node.start()
        let natBaseline = try baseNATRules(node)
        let started = Date()
        var warm: (fds: Int, rssKB: Int)?
        for round in 0..<rounds {
            let names = (0..<batch).map { "churn-r\(round)-\($0)" }
            for name in names { try node.write(name + ".yaml", Self.web(name)) }
            let ran = node.wait(120) { names.allSatisfy(node.running) }
            try #require(ran, "round \(round): not all Running: \(names.filter { !node.running($0) })\n\(node.agentLog.suffix(4000))")
            for name in names { node.remove(name + ".yaml") }
            let gone = node.wait(120) { node.pods().isEmpty && node.monitorProcesses().isEmpty }
            try #require(gone, "round \(round): not deleted: \(node.pods().map(\.metadata.name))\n\(node.agentLog.suffix(4000))")
            if round == warmUpRounds - 1 { warm = try settledResources(node) }
        }
        let elapsed = Date().timeIntervalSince(started)
        let cycles = rounds * batch
        let measuredCycles = (rounds - warmUpRounds) * batch
        let end = try settledResources(node)
        let before = try #require(warm)

        var left = node.leftovers(natBaseline: natBaseline)
        if !left.isEmpty {
            node.wait(30) { node.leftovers(natBaseline: natBaseline).isEmpty }
            left = node.leftovers(natBaseline: natBaseline)
        }
        #expect(left.isEmpty, "after \(cycles) cycles: \(left)")
        #expect(node.agentPID != nil, "the agent died:\n\(node.agentLog.suffix(4000))")
        let zombies = node.agentZombies()
        #expect(zombies.isEmpty, "the agent never reaped \(zombies)")
        #expect(end.fds <= before.fds + Self.fdSlack, "agent fds grew \(before.fds) -> \(end.fds) over \(measuredCycles) cycles")
        let rssBound = Self.rssSlackKB + Self.rssPerCycleKB * measuredCycles
        #expect(end.rssKB - before.rssKB <= rssBound, "agent RSS grew \(before.rssKB) -> \(end.rssKB) kB over \(measuredCycles) cycles (bound \(rssBound) kB)")
        Campaign.report(String(format: "churn: %d create→delete cycles (%d rounds × %d pods) in %.0f s; left: %@; %d zombies; agent fds %d → %d, RSS %d → %d kB (%+.1f kB/cycle over %d cycles)",
                               cycles, rounds, batch, elapsed, left.description, zombies.count, before.fds, end.fds, before.rssKB, end.rssKB,
                               Double(end.rssKB - before.rssKB) / Double(max(measuredCycles, 1)), measuredCycles))
    }

    @Test func hundredPodsAtOnceAllRunAndAnswerHTTP() throws {
        let count = Campaign.count(short: 100, full: 100)
        let node = try AgentHarness("hundred")
        defer { node.shutDown() }
        try node.start()
        let natBaseline = try baseNATRules(node)
        let names = (0..<count).map { "web\($0)" }
        let started = Date()
        for name in names { try node.write(name + ".yaml", Self.web(name)) }
        let ran = node.wait(900) { names.allSatisfy(node.running) }
        let toRunning = Date().timeIntervalSince(started)
        try #require(ran, "Running \(names.filter(node.running).count)/\(count) after \(Int(toRunning)) s\n\(node.agentLog.suffix(4000))")
        let ips = names.compactMap { node.pod($0)?.status?.podIP }
        #expect(Set(ips).count == count, "pod IPs: \(ips)")
        var silent: [String] = []
        for (name, ip) in zip(names, ips) where node.curl("http://\(ip):8080/")?.contains("Hello from Swiftlet") != true {
            silent.append("\(name) \(ip)")
        }
        #expect(silent.isEmpty, "no HTTP answer from \(silent)")
        let restarts = names.compactMap { node.status($0, "c")?.restartCount }.reduce(0, +)
        #expect(restarts == 0)
        let toServing = Date().timeIntervalSince(started)

        for name in names { node.remove(name + ".yaml") }
        let emptied = node.wait(600) { node.pods().isEmpty && node.leftovers(natBaseline: natBaseline).isEmpty }
        #expect(emptied, "left: \(node.leftovers(natBaseline: natBaseline))")
        let total = Date().timeIntervalSince(started)
        Campaign.report(String(format: "%d pods at once: all Running in %.0f s, %d/%d answered HTTP (by %.0f s), %d restarts; deleted, %@ left, by %.0f s",
                               count, toRunning, count - silent.count, count, toServing, restarts, emptied ? "nothing" : "something", total))
    }

    /// The nat rules a node has with no pod: kube-proxy's own chains, which the agent
    /// installs at start and keeps; anything beyond them after a churn is a pod's leftover.
    private func baseNATRules(_ node: AgentHarness) throws -> Set<String> {
        try #require(node.wait { node.natRules().contains("-N KUBE-SERVICES") }, "no kube-proxy chains:\n\(node.agentLog)")
        // The chains can show before the first pass's rules: wait until the table is still.
        var rules = Set(node.natRules())
        var quiet = 0
        var tries = 0
        while quiet < 3 && tries < 40 {
            tries += 1
            Thread.sleep(forTimeInterval: 0.5)
            let now = Set(node.natRules())
            quiet = now == rules ? quiet + 1 : 0
            rules = now
        }
        return rules
    }

    /// The agent's fds and RSS once its sync loop has gone quiet: the least of three samples
    /// a second apart, so one caught mid-pass (a manifest read, a CNI exec) does not count.
    private func settledResources(_ node: AgentHarness) throws -> (fds: Int, rssKB: Int) {
        var samples: [(fds: Int, rssKB: Int)] = []
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 1)
            samples.append(try #require(node.agentResources(), "the agent died:\n\(node.agentLog.suffix(4000))"))
        }
        return (samples.map(\.fds).min()!, samples.map(\.rssKB).min()!)
    }
}
