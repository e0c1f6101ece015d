import Foundation
import KubeAPI
import Kubelet
import Testing

/// Issue #4: real pods from manifests through `swiftlet run`, as a user sees them.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct PodIntegrationTests {
    @Test func twoContainersShareNetworkIPCAndAnEmptyDir() throws {
        let node = try AgentHarness("shared")
        defer { node.shutDown() }
        try node.start()
        try node.write("web.yaml", TestManifests.pod("web", containers:
            TestManifests.container("a", command: ["sh", "-c", "shmtool create 4242 from-a && echo from-a > /data/a.txt && exec httpd -f -p 8080 -h /www"],
                                    "volumeMounts: [{name: data, mountPath: /data}]"),
            TestManifests.container("b", command: ["sh", "-c", "sleep 1000000"], "volumeMounts: [{name: data, mountPath: /shared}]"),
            volumes: "- {name: data, emptyDir: {}}"))
        #expect(node.wait { node.running("web") }, "pod never ran:\n\(node.agentLog)")
        let ip = try #require(node.pod("web")?.status?.podIP)
        #expect(node.curl("http://\(ip):8080/")?.contains("Hello from Swiftlet") == true)
        // B reaches A over the pod's localhost, sees its SysV segment and its emptyDir file.
        var fromB = node.cli(["exec", "web", "-c", "b", "--", "wget", "-q", "-O-", "http://localhost:8080/"])
        #expect(fromB.status == 0 && fromB.output.contains("Hello from Swiftlet"), "\(fromB.output)")
        #expect(node.wait(5) { node.cli(["exec", "web", "-c", "b", "--", "shmtool", "read", "4242"]).output.contains("from-a") })
        fromB = node.cli(["exec", "web", "-c", "b", "--", "cat", "/shared/a.txt"])
        #expect(fromB.output == "from-a\n")
        // -t gives the command a terminal.
        #expect(node.cli(["exec", "web", "-c", "b", "-t", "--", "tty"]).output.contains("/dev/pts/"))
        // The exit code of exec propagates.
        #expect(node.cli(["exec", "web", "-c", "b", "--", "sh", "-c", "exit 7"]).status == 7)
        #expect(node.cli(["get", "pods", "-o", "wide"]).output.contains(ip))
    }

    @Test func shareProcessNamespaceShowsEachContainerTheOthersProcesses() throws {
        let node = try AgentHarness("sharepid")
        defer { node.shutDown() }
        try node.start()
        try node.write("pid.yaml", TestManifests.pod("pids", labels: [:], spec: "shareProcessNamespace: true", containers:
            TestManifests.container("a", command: ["httpd", "-f", "-p", "8080"]),
            TestManifests.container("b", command: TestManifests.sleepForever)))
        #expect(node.wait { node.running("pids") }, "\(node.agentLog)")
        let ps = node.cli(["exec", "pids", "-c", "b", "--", "ps", "-o", "pid,args"])
        #expect(ps.output.contains("httpd -f -p 8080") && ps.output.contains("sleep 1000000"), "\(ps.output)")
        // PID 1 is the pod's namespace holder, not a container.
        #expect(!ps.output.contains("    1 httpd") && !ps.output.contains("    1 sleep"), "\(ps.output)")
    }

    @Test func initContainersEnvAndSecurityContextApply() throws {
        let node = try AgentHarness("initsec")
        defer { node.shutDown() }
        try node.start()
        try node.write("sec.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: sec}
            spec:
              terminationGracePeriodSeconds: 1
              initContainers:
              - name: first
                image: busybox
                imagePullPolicy: Never
                command: ["sh", "-c", "echo one >> /work/order"]
                volumeMounts: [{name: work, mountPath: /work}]
              - name: second
                image: busybox
                imagePullPolicy: Never
                command: ["sh", "-c", "echo two >> /work/order"]
                volumeMounts: [{name: work, mountPath: /work}]
              containers:
              - name: app
                image: busybox
                imagePullPolicy: Never
                command: ["sleep", "1000000"]
                env:
                - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
                - {name: GREETING, value: "hello $(POD_NAME)"}
                securityContext:
                  runAsUser: 65534
                  runAsGroup: 65534
                  readOnlyRootFilesystem: true
                  allowPrivilegeEscalation: false
                  capabilities: {drop: ["ALL"]}
                volumeMounts: [{name: work, mountPath: /work}]
              volumes:
              - {name: work, emptyDir: {}}
            """)
        #expect(node.wait { node.running("sec") }, "\(node.agentLog)")
        #expect(node.pod("sec")?.status?.initContainerStatuses?.allSatisfy { $0.state?.terminated?.reason == "Completed" } == true)
        func run(_ command: String) -> String { node.cli(["exec", "sec", "-c", "app", "--", "sh", "-c", command]).output }
        #expect(run("cat /work/order") == "one\ntwo\n", "init containers run in order, once each")
        let ip = node.pod("sec")?.status?.podIP ?? "?"
        #expect(run("echo $POD_NAME $POD_IP; echo $GREETING") == "sec-node1 \(ip)\nhello sec-node1\n")
        #expect(run("id -u; id -g") == "65534\n65534\n")
        #expect(run("touch /rootfile 2>&1 || echo refused").contains("refused"))
        #expect(run("grep -E '^(CapEff|NoNewPrivs)' /proc/self/status") == "CapEff:\t0000000000000000\nNoNewPrivs:\t1\n")
    }

    @Test func hostPathDirectoryOrCreateIsCreated() throws {
        let node = try AgentHarness("hostpath")
        defer { node.shutDown() }
        let host = node.base + "/host/made/here"
        try node.start()
        try node.write("hp.yaml", TestManifests.pod("hp", containers:
            TestManifests.container(command: ["sh", "-c", "echo written > /mnt/file && sleep 1000000"], "volumeMounts: [{name: h, mountPath: /mnt}]"),
            volumes: "- {name: h, hostPath: {path: \(host), type: DirectoryOrCreate}}"))
        #expect(node.wait { (try? String(contentsOfFile: host + "/file", encoding: .utf8)) == "written\n" }, "\(node.agentLog)")
    }

    @Test func crashingContainerBacksOffWithGrowingRestarts() throws {
        let node = try AgentHarness("crash")
        defer { node.shutDown() }
        try node.start()
        try node.write("crash.yaml", TestManifests.pod("crash", containers: TestManifests.container(command: ["sh", "-c", "echo dying; exit 3"])))
        #expect(node.wait(20) { node.status("crash", "c")?.state?.waiting?.reason == "CrashLoopBackOff" }, "\(node.agentLog)")
        let status = try #require(node.status("crash", "c"))
        #expect(status.lastState?.terminated?.exitCode == 3)
        #expect(status.lastState?.terminated?.reason == "Error")
        #expect(status.state?.waiting?.message?.contains("back-off 10s") == true)
        let count = status.restartCount
        #expect(count >= 1)
        // After the 10 s back-off it runs again, crashes, and waits 20 s.
        #expect(node.wait(25) { (node.status("crash", "c")?.restartCount ?? 0) > count })
        #expect(node.wait(5) { node.status("crash", "c")?.state?.waiting?.message?.contains("back-off 20s") == true })
        #expect(node.cli(["get", "pods"]).output.contains("CrashLoopBackOff"))
        #expect(node.cli(["logs", "crash"]).output == "dying\n")
    }

    @Test func onFailureAndNeverAreHonoured() throws {
        let node = try AgentHarness("policies")
        defer { node.shutDown() }
        try node.start()
        try node.write("ok.yaml", TestManifests.pod("done", restartPolicy: "OnFailure", containers: TestManifests.container(command: ["true"])))
        try node.write("never.yaml", TestManifests.pod("never", restartPolicy: "Never", containers: TestManifests.container(command: ["sh", "-c", "exit 2"])))
        try node.write("again.yaml", TestManifests.pod("again", restartPolicy: "OnFailure", containers: TestManifests.container(command: ["sh", "-c", "exit 1"])))
        #expect(node.wait { node.pod("done")?.status?.phase == .succeeded }, "\(node.agentLog)")
        #expect(node.status("done", "c")?.state?.terminated?.reason == "Completed")
        #expect(node.wait { node.pod("never")?.status?.phase == .failed })
        #expect(node.status("never", "c")?.restartCount == 0)
        #expect(node.wait { (node.status("again", "c")?.restartCount ?? 0) >= 1 })
        Thread.sleep(forTimeInterval: 1)
        #expect(node.status("done", "c")?.restartCount == 0)
        #expect(node.status("never", "c")?.restartCount == 0)
    }

    @Test func probesRestartOnLivenessFailureAndGateReadiness() throws {
        let node = try AgentHarness("probes")
        defer { node.shutDown() }
        try node.start()
        try node.write("probes.yaml", TestManifests.pod("probes", containers:
            TestManifests.container("live", command: ["sh", "-c", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 1000000"], """
                livenessProbe:
                  exec: {command: ["cat", "/tmp/healthy"]}
                  periodSeconds: 1
                  failureThreshold: 1
                """),
            TestManifests.container("ready", command: ["sh", "-c", "sleep 3; mkdir -p /www && echo up > /www/index.html && exec httpd -f -p 8081 -h /www"],
                                    TestManifests.httpReadiness(port: "8081"))))
        #expect(node.wait { node.status("probes", "ready")?.state?.running != nil }, "\(node.agentLog)")
        #expect(node.status("probes", "ready")?.ready == false)
        #expect(node.pod("probes")?.status?.conditions?.first { $0.type == "Ready" }?.status == .false)
        #expect(node.wait(15) { node.status("probes", "ready")?.ready == true })
        #expect(node.wait(20) { (node.status("probes", "live")?.restartCount ?? 0) >= 1 }, "\(node.agentLog)")
        let events = node.cli(["describe", "pod", "probes"]).output
        #expect(events.contains("Liveness probe failed"))
    }

    /// A failed startup probe restarts the container, named as such, within the probe's own
    /// terminationGracePeriodSeconds (1 s) rather than the pod's (60 s), as upstream.
    @Test func startupProbeFailureKillsWithTheProbesGracePeriod() throws {
        let node = try AgentHarness("startup")
        defer { node.shutDown() }
        try node.start()
        try node.write("slow.yaml", TestManifests.pod("slow", grace: 60, containers:
            TestManifests.container(command: ["sh", "-c", "trap 'echo got TERM' TERM; while true; do sleep 0.2; done"], """
                startupProbe:
                  exec: {command: ["cat", "/tmp/started"]}
                  periodSeconds: 1
                  failureThreshold: 2
                  terminationGracePeriodSeconds: 1
                """)))
        #expect(node.wait(25) { (node.status("slow", "c")?.restartCount ?? 0) >= 1 }, "\(node.agentLog)")
        let events = node.cli(["describe", "pod", "slow"]).output
        #expect(events.contains("Startup probe failed") && events.contains("Container c failed startup probe, will be restarted"), "\(events)")
    }

    @Test func memoryLimitGivesOOMKilled() throws {
        let node = try AgentHarness("oom")
        defer { node.shutDown() }
        try node.start()
        try node.write("oom.yaml", TestManifests.pod("oom", restartPolicy: "Never", containers:
            TestManifests.container("hog", command: ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"], TestManifests.memoryLimit("32Mi"))))
        #expect(node.wait { node.status("oom", "hog")?.state?.terminated != nil }, "\(node.agentLog)")
        #expect(node.status("oom", "hog")?.state?.terminated?.reason == "OOMKilled")
        #expect(node.status("oom", "hog")?.state?.terminated?.exitCode == 137)
    }

    @Test func containerIgnoringSIGTERMIsKilledAfterItsGracePeriod() throws {
        let node = try AgentHarness("grace")
        defer { node.shutDown() }
        try node.start()
        try node.write("stubborn.yaml", TestManifests.pod("stubborn", grace: 2, containers:
            TestManifests.container(command: ["sh", "-c", "trap 'echo got TERM' TERM; while true; do sleep 0.2; done"])))
        #expect(node.wait { node.running("stubborn") }, "\(node.agentLog)")
        let uid = try #require(node.pod("stubborn")?.metadata.uid)
        let started = Date()
        node.remove("stubborn.yaml")
        #expect(node.wait(20) { !FileManager.default.fileExists(atPath: node.root + "/pods/" + uid) })
        let took = Date().timeIntervalSince(started)
        #expect(took >= 2, "terminated after \(took) s, before the grace period")
    }

    @Test func removingTheManifestRemovesEverything() throws {
        let node = try AgentHarness("remove")
        defer { node.shutDown() }
        try node.start()
        try node.write("gone.yaml", TestManifests.pod("gone", containers:
            TestManifests.container(command: TestManifests.sleepForever, TestManifests.memoryLimit("64Mi")),
            volumes: "- {name: m, emptyDir: {medium: Memory, sizeLimit: 1Mi}}"))
        #expect(node.wait { node.running("gone") }, "\(node.agentLog)")
        let ip = try #require(node.pod("gone")?.status?.podIP)
        let uid = try #require(node.pod("gone")?.metadata.uid)
        #expect(FileManager.default.fileExists(atPath: node.base + "/ipam/\(node.bridge)/\(ip)"))
        #expect(Self.mounts().contains(uid))
        node.remove("gone.yaml")
        #expect(node.wait(20) { node.pod("gone") == nil })
        #expect(!FileManager.default.fileExists(atPath: node.base + "/ipam/\(node.bridge)/\(ip)"), "IP still allocated")
        #expect(!Self.mounts().contains(uid), "mounts left:\n\(Self.mounts())")
        #expect(!node.ip("-o", "link", "show", "master", node.bridge).contains("veth"), "veth left")
        #expect(Self.cgroupDirectories(node.cgroupParent).allSatisfy { !$0.contains(uid) })
    }

    @Test func brokenManifestIsReportedAndTheGoodPodRuns() throws {
        let node = try AgentHarness("broken")
        defer { node.shutDown() }
        try node.write("bad.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: bad}
            spec:
              containers:
              - name: c
                image: busybox
                resources: {limits: {memory: lots}}
            """)
        try node.write("good.yaml", TestManifests.sleeperPod("good"))
        try node.start()
        #expect(node.wait { node.running("good") }, "\(node.agentLog)")
        #expect(node.agentLog.contains("bad.yaml"))
        #expect(node.agentLog.contains("resources.limits"))
        #expect(node.pod("bad") == nil)
    }

    @Test func restartedAgentAdoptsRunningPods() throws {
        let node = try AgentHarness("adopt")
        defer { node.shutDown() }
        try node.start()
        try node.write("keep.yaml", TestManifests.sleeperPod("keep"))
        #expect(node.wait { node.running("keep") }, "\(node.agentLog)")
        let before = try #require(node.status("keep", "c"))
        let ip = node.pod("keep")?.status?.podIP
        node.stop(signal: SIGKILL)
        try node.start()
        Thread.sleep(forTimeInterval: 2)
        let after = try #require(node.status("keep", "c"))
        #expect(after.containerID == before.containerID)
        #expect(after.restartCount == before.restartCount)
        #expect(after.state?.running != nil)
        #expect(node.pod("keep")?.status?.podIP == ip)
        #expect(node.pods().count == 1)
    }

    static func mounts() -> String { procText("/proc/self/mountinfo") }

    static func cgroupDirectories(_ parent: String) -> [String] {
        let base = "/sys/fs/cgroup/memory" + parent
        return (FileManager.default.enumerator(atPath: base)?.allObjects as? [String]) ?? []
    }
}
