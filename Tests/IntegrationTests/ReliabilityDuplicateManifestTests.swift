import Foundation
import KubeAPI
import Kubelet
import Testing

/// Issue #19: a later manifest declaring an object again never replaces it: the file seen
/// first keeps it (across agent restarts too), the newcomer gets an error line naming both
/// files and the kept object a FailedValidation event; once the first file goes, the
/// duplicate may take the name over.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct ReliabilityDuplicateManifestTests {
    static let refusal = "b8-duplicate.yaml: Pod default/p1 is already defined in p1.yaml; ignored"
    /// A Pod p1 whose container exits at once: crash-looping, were it started.
    static let duplicatePod = TestManifests.pod("p1", containers: TestManifests.container(command: ["true"]))

    /// What shows that a pod's container was never restarted.
    struct Running: Equatable {
        var uid: String?
        var containerID: String?
        var startedAt: KubeTime?
        var restartCount: Int?
        var pid: Int32?
    }

    func running(_ node: AgentHarness, _ name: String, container: String = "c") -> Running? {
        guard let pod = node.pod(name), node.running(name) else { return nil }
        let status = pod.status?.containerStatuses?.first { $0.name == container }
        return Running(uid: pod.metadata.uid, containerID: status?.containerID, startedAt: status?.state?.running?.startedAt,
                       restartCount: status?.restartCount, pid: node.containerPID(pod, container: container))
    }

    /// p1.yaml … p10.yaml, each a sleeping pod, all running.
    func startTenPods(_ node: AgentHarness) throws {
        try node.start()
        for index in 1...10 { try node.write("p\(index).yaml", TestManifests.sleeperPod("p\(index)")) }
        #expect(node.wait(90) { (1...10).allSatisfy { node.running("p\($0)") } }, "not all running:\n\(node.agentLog)")
    }

    /// Lets the agent re-list the directory a few times (it does at least every second).
    func letTheAgentResync() { Thread.sleep(forTimeInterval: 3) }

    func occurrences(_ text: String, in log: String) -> Int { log.components(separatedBy: text).count - 1 }

    /// What the agent logged since `previous` was read (the harness may start a new log).
    func log(_ node: AgentHarness, since previous: String) -> String {
        let log = node.agentLog
        return log.hasPrefix(previous) ? String(log.dropFirst(previous.count)) : log
    }

    @Test func aDuplicatePodNameLeavesTheRunningPodAndTakesOverOnceTheFirstFileGoes() throws {
        let node = try AgentHarness("dup-pod")
        defer { node.shutDown() }
        try startTenPods(node)
        let before = try #require(running(node, "p1"))
        #expect(before.pid != nil && before.restartCount == 0)

        // b8-duplicate.yaml sorts before p1.yaml; it is refused all the same.
        try node.write("b8-duplicate.yaml", Self.duplicatePod)
        #expect(node.wait { node.agentLog.contains(Self.refusal) }, "\(node.agentLog)")
        #expect(node.wait {
            let described = node.cli(["describe", "pod", "p1"]).output
            return described.contains("FailedValidation") && described.contains("b8-duplicate.yaml")
        }, "\(node.cli(["describe", "pod", "p1"]).output)")
        letTheAgentResync()
        // Same container, same process, never restarted; its uptime goes on.
        #expect(running(node, "p1") == before)
        #expect(node.pods().count == 10, "\(node.pods().map { $0.metadata.name ?? "" })")
        #expect((1...10).allSatisfy { node.running("p\($0)") })
        #expect(!node.agentLog.contains("terminating pod default/p1-node1"), "\(node.agentLog)")
        #expect(occurrences(Self.refusal, in: node.agentLog) == 1, "logged once")
        let errorLine = node.agentLog.split(separator: "\n").first { $0.contains(Self.refusal) }
        #expect(errorLine?.contains("error") == true, "\(errorLine ?? "")")

        // Once p1.yaml goes, the duplicate holds the name: a new pod, the old one gone.
        node.remove("p1.yaml")
        #expect(node.wait(60) {
            guard let pod = node.pod("p1") else { return false }
            return pod.metadata.uid != before.uid && pod.spec.containers.first?.command == ["true"]
                && (pod.status?.containerStatuses?.first?.restartCount ?? 0) >= 1
        }, "not taken over:\n\(node.agentLog)")
        #expect(node.wait { node.pods().count == 10 })
        #expect(before.pid.map { kill($0, 0) != 0 } == true, "the first pod's container is gone")
        Campaign.report("duplicate pod name: the running pod kept its container, the newcomer refused naming both files; taken over once the first file went")
    }

    @Test func theRunningPodKeepsItsNameAcrossAgentRestartsWithOrWithoutTheOwnerRecord() throws {
        let node = try AgentHarness("dup-restart")
        defer { node.shutDown() }
        try startTenPods(node)
        let before = try #require(running(node, "p1"))

        // The duplicate arrives while the agent is down; the record says p1.yaml holds p1.
        node.stop()
        try node.write("b8-duplicate.yaml", Self.duplicatePod)
        var previous = node.agentLog
        try node.start()
        #expect(node.wait {
            let log = log(node, since: previous)
            return log.contains(Self.refusal) && log.contains("adopting pod default/p1-node1")
        }, "\(node.agentLog)")
        letTheAgentResync()
        #expect(running(node, "p1") == before)
        #expect(node.pods().count == 10)
        let record = JSONFile.read(ManifestOwnerRecord.self, from: node.root + "/manifest-owners.json")
        #expect(record?.owners["Pod/default/p1"] == "p1.yaml", "\(String(describing: record))")

        // No record, and the duplicate's mtime older than p1.yaml's: the running pod's file
        // still holds the name.
        node.stop()
        unlink(node.root + "/manifest-owners.json")
        var times = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, node.manifests + "/b8-duplicate.yaml", &times, 0) == 0)
        previous = node.agentLog
        try node.start()
        #expect(node.wait {
            let log = log(node, since: previous)
            return log.contains(Self.refusal) && log.contains("adopting pod default/p1-node1")
        }, "\(node.agentLog)")
        letTheAgentResync()
        #expect(running(node, "p1") == before)
        #expect(node.pods().count == 10)
        #expect((1...10).allSatisfy { node.running("p\($0)") })
        #expect(!log(node, since: previous).contains("terminating pod default/p1-node1"), "\(node.agentLog)")
        #expect(JSONFile.read(ManifestOwnerRecord.self, from: node.root + "/manifest-owners.json")?.owners["Pod/default/p1"] == "p1.yaml")
    }

    @Test func aDuplicateDeploymentLeavesTheRunningOneAndItsPods() throws {
        let node = try AgentHarness("dup-deploy")
        defer { node.shutDown() }
        try node.start()
        try node.write("web.yaml", TestManifests.deployment("web", replicas: 2))
        #expect(node.wait(60) { node.runningPods("web").count == 2 }, "never 2 running:\n\(node.agentLog)")
        func containers() -> [String: String?] {
            Dictionary(uniqueKeysWithValues: node.runningPods("web").map {
                ($0.metadata.uid ?? "", $0.status?.containerStatuses?.first?.containerID)
            })
        }
        let before = containers()

        try node.write("b8-duplicate.yaml", TestManifests.deployment("web", replicas: 3, command: "exit 0"))
        let refusal = "b8-duplicate.yaml: Deployment default/web is already defined in web.yaml; ignored"
        #expect(node.wait { node.agentLog.contains(refusal) }, "\(node.agentLog)")
        #expect(node.wait {
            let described = node.cli(["describe", "deployment", "web"]).output
            return described.contains("FailedValidation") && described.contains("b8-duplicate.yaml")
        }, "\(node.cli(["describe", "deployment", "web"]).output)")
        letTheAgentResync()
        #expect(containers() == before)
        #expect(node.ownedPods("web").count == 2)
        #expect(node.runningPods("web").allSatisfy { $0.status?.containerStatuses?.first?.restartCount == 0 })
        guard case .deployment(let deployment)? = node.object("Deployment", "web") else {
            Issue.record("no Deployment web published")
            return
        }
        #expect(deployment.spec.replicas == 2)
    }

    @Test func aDuplicateServiceLeavesTheRunningOneItsClusterIPAndPorts() throws {
        let node = try AgentHarness("dup-svc")
        defer { node.shutDown() }
        try node.start()
        try node.write("web.yaml", ServiceIntegrationTests.webPod("web-a"))
        try node.write("svc.yaml", ServiceIntegrationTests.service("web"))
        #expect(node.wait(30) { node.status("web-a", "web")?.ready == true }, "not ready:\n\(node.agentLog)")
        func published() -> Service? {
            if case .service(let service)? = node.object("Service", "web") { return service }
            return nil
        }
        let vip = try #require(node.wait { published()?.spec.clusterIP != nil } ? published()?.spec.clusterIP : nil)
        #expect(node.wait(10) { node.curl("http://\(vip)/") == "web-a\n" })

        try node.write("b8-duplicate.yaml", TestManifests.service("web", selector: ["app": "other"], port: 8080))
        let refusal = "b8-duplicate.yaml: Service default/web is already defined in svc.yaml; ignored"
        #expect(node.wait { node.agentLog.contains(refusal) }, "\(node.agentLog)")
        #expect(node.wait {
            let described = node.cli(["describe", "service", "web"]).output
            return described.contains("FailedValidation") && described.contains("b8-duplicate.yaml")
        }, "\(node.cli(["describe", "service", "web"]).output)")
        letTheAgentResync()
        #expect(published()?.spec.clusterIP == vip)
        #expect(published()?.spec.ports?.map(\.port) == [80])
        #expect(published()?.spec.selector == ["app": "web"])
        #expect(node.curl("http://\(vip)/") == "web-a\n")
    }
}
