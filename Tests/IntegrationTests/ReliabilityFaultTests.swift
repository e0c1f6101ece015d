import Foundation
import KubeAPI
import Kubelet
import Testing

/// Issue #8 §1: faults a node survives — its agent SIGKILLed mid-work, a container's monitor
/// or process killed from outside, a CNI plugin failing, a full disk under `--root`.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct ReliabilityFaultTests {
    @Test func agentKilledWhileCreatingAndWhileDeletingTenPodsConverges() throws {
        let node = try AgentHarness("killagent")
        defer { node.shutDown() }
        let natBaseline = Set(node.natRules())
        try node.start()
        let names = (0..<10).map { "p\($0)" }
        for name in names { try node.write(name + ".yaml", TestManifests.sleeperPod(name)) }
        // Mid-work: some containers exist, not all pods run yet.
        #expect(node.wait(60) { !ContainerFiles.all(root: node.root).isEmpty }, "\(node.agentLog)")
        let madeAtFirstKill = ContainerFiles.all(root: node.root).count
        node.stop(signal: SIGKILL)
        try node.start()
        // Again once the next agent has some pods running: those are adopted as they are.
        #expect(node.wait(60) { names.contains(where: node.running) }, "\(node.agentLog)")
        let runningBefore = names.filter { node.running($0) }
        let statusBefore = Dictionary(uniqueKeysWithValues: runningBefore.compactMap { name in node.status(name, "c").map { (name, $0) } })
        node.stop(signal: SIGKILL)
        try node.start()
        // Pods whose creation the kill interrupted are finished by the new agent.
        let converged = node.wait(60) { names.allSatisfy(node.running) }
        #expect(converged, "never converged:\n\(node.agentLog)")
        // Give a duplicating agent the chance to show itself.
        Thread.sleep(forTimeInterval: 2)
        let ids = node.containerIDs()
        for name in names {
            // Exactly one container each: never a duplicate, never a missing one.
            #expect(ids["\(name)-node1/c"]?.count == 1, "\(name): containers \(ids["\(name)-node1/c"] ?? [])")
        }
        var kept = 0
        for (name, before) in statusBefore {
            let after = node.status(name, "c")
            #expect(after?.containerID == before.containerID && after?.restartCount == before.restartCount, "\(name): \(String(describing: after))")
            if after?.containerID == before.containerID && after?.restartCount == before.restartCount { kept += 1 }
        }
        let live = node.leftovers(natBaseline: natBaseline)
        let runningNow = names.filter(node.running).count
        let interrupted = node.agentLog.components(separatedBy: "its creation was interrupted").count - 1
        Campaign.report("agent SIGKILLed twice while creating 10 pods (\(madeAtFirstKill) containers made at the 1st kill, \(runningBefore.count) pods running at the 2nd): \(runningNow)/10 running after restart, \(interrupted) half-made containers recreated, \(kept)/\(statusBefore.count) running ones kept their ID and restartCount, monitors \(live.monitors.count), veths \(live.veths.count), IPs \(live.ipamFiles.count)")
        #expect(live.monitors.count == 10 && live.veths.count == 10 && live.ipamFiles.count == 10 && live.sandboxes.count == 10, "\(live)")

        // Again while deleting them.
        for name in names { node.remove(name + ".yaml") }
        #expect(node.wait(60) { node.pods().count < 10 || node.agentLog.contains("terminating pod") })
        node.stop(signal: SIGKILL)
        try node.start()
        let emptied = node.wait(60) { node.pods().isEmpty && node.leftovers(natBaseline: Set(node.natRules())).isEmpty }
        #expect(emptied, "left: \(node.leftovers(natBaseline: Set(node.natRules())))\n\(node.agentLog)")
        Campaign.report("agent SIGKILLed while deleting 10 pods: \(emptied ? "converged, nothing left" : "left \(node.leftovers(natBaseline: Set(node.natRules())))")")
    }

    @Test func agentKilledDuringARollingUpdateConverges() throws {
        let node = try AgentHarness("killrollout")
        defer { node.shutDown() }
        let natBaseline = Set(node.natRules())
        try node.start()
        func version(_ pod: Pod) -> String? { pod.spec.containers[0].env?.first { $0.name == "VERSION" }?.value }
        try node.write("app.yaml", TestManifests.deployment("app", replicas: 3, env: ["VERSION": "1"], TestManifests.readyAfterOneSecond))
        #expect(node.wait(60) { node.readyPods("app").count == 3 }, "never 3 ready:\n\(node.agentLog)")
        let before = Set(node.ownedPods("app").compactMap(\.metadata.uid))
        try node.write("app.yaml", TestManifests.deployment("app", replicas: 3, env: ["VERSION": "2"], TestManifests.readyAfterOneSecond))
        // Mid-rollout: pods of the new ReplicaSet exist beside the old ones.
        #expect(node.wait(60) {
            let versions = node.ownedPods("app").map(version)
            return versions.contains("2") && versions.contains("1")
        }, "\(node.agentLog)")
        let atKill = node.ownedPods("app").map { "\(version($0) ?? "?")" }.sorted()
        node.stop(signal: SIGKILL)
        try node.start()
        // Again while an old pod terminates, when the rollout gets that far before it ends.
        let terminatingAtKill = node.wait(60) { node.ownedPods("app").contains { $0.metadata.deletionTimestamp != nil } }
        if terminatingAtKill {
            node.stop(signal: SIGKILL)
            try node.start()
        }
        let converged = node.wait(120) {
            let pods = node.ownedPods("app")
            return pods.count == 3 && pods.allSatisfy { version($0) == "2" } && node.readyPods("app").count == 3
        }
        #expect(converged, "never converged on 3 new pods:\n\(node.agentLog)")
        // Give a duplicating agent the chance to show itself.
        Thread.sleep(forTimeInterval: 2)
        let pods = node.ownedPods("app")
        let uids = Set(pods.compactMap(\.metadata.uid))
        #expect(uids.isDisjoint(with: before), "old pods remain")
        let ids = node.containerIDs()
        for pod in pods {
            #expect(ids["\(pod.metadata.name ?? "")/main"]?.count == 1, "\(pod.metadata.name ?? ""): containers \(ids["\(pod.metadata.name ?? "")/main"] ?? [])")
        }
        let replicaSets = node.cli(["get", "rs"]).output.split(separator: "\n").dropFirst()
        #expect(replicaSets.count == 2 && replicaSets.filter { $0.contains(" 3         3         3") }.count == 1, "\(replicaSets)")
        // Nothing of the old pods is left: one sandbox, veth, IP, monitor, container, pod
        // cgroup and pod dir per new pod, and every mount belongs to one of them.
        let live = node.leftovers(natBaseline: natBaseline)
        let podCgroups = Set(live.cgroups.compactMap { $0.split(separator: "/").last.map(String.init) })
        #expect(live.monitors.count == 3 && live.veths.count == 3 && live.ipamFiles.count == 3 && live.sandboxes.count == 3, "\(live)")
        #expect(live.containerDirs.count == 3 && Set(live.podDirs) == uids && podCgroups == Set(uids.map { "pod" + $0 }), "\(live)")
        #expect(live.mounts.allSatisfy { mount in uids.contains { mount.contains($0) } }, "\(live.mounts)")
        Campaign.report("agent SIGKILLed during a rolling update of 3 replicas (pods at the 1st kill: versions \(atKill)\(terminatingAtKill ? "; 2nd kill while an old pod terminated" : "")): \(converged ? "converged on 3 new pods" : "not converged, \(pods.count) pods"), containers \(live.containerDirs.count), monitors \(live.monitors.count), veths \(live.veths.count), IPs \(live.ipamFiles.count), sandboxes \(live.sandboxes.count)")
    }

    @Test func killedMonitorIsReportedAndTheContainerRestartsPerPolicy() throws {
        let node = try AgentHarness("killmonitor")
        defer { node.shutDown() }
        try node.start()
        try node.write("always.yaml", TestManifests.sleeperPod("always"))
        try node.write("never.yaml", TestManifests.sleeperPod("never", restartPolicy: "Never"))
        #expect(node.wait { node.running("always") && node.running("never") }, "\(node.agentLog)")
        var killed: [String: (id: String, pid: Int32)] = [:]
        for pod in ["always", "never"] {
            let id = try #require(node.status(pod, "c")?.containerID?.components(separatedBy: "://").last)
            let record = try #require(ContainerFiles(root: node.root, id: id).monitor())
            killed[pod] = (id, record.pid)
            #expect(kill(record.monitorPID, SIGKILL) == 0)
        }
        // Always: a new container replaces the orphaned one, whose process is gone.
        #expect(node.wait(15) { (node.status("always", "c")?.restartCount ?? 0) >= 1 && node.running("always") }, "\(node.agentLog)")
        let always = try #require(node.status("always", "c"))
        #expect(always.lastState?.terminated?.exitCode == 137, "\(always)")
        #expect(always.containerID?.hasSuffix(killed["always"]!.id) == false)
        #expect(node.wait(10) { kill(killed["always"]!.pid, 0) != 0 }, "the old container process survived its monitor")
        // Never: the pod fails and reports why.
        #expect(node.wait(15) { node.pod("never")?.status?.phase == .failed }, "\(node.agentLog)")
        let never = try #require(node.status("never", "c"))
        #expect(never.restartCount == 0)
        #expect(never.state?.terminated?.message?.contains("monitor") == true, "\(never)")
        #expect(node.wait(10) { kill(killed["never"]!.pid, 0) != 0 })
        #expect(node.containerIDs()["always-node1/c"]?.count ?? 0 <= 2)
        Campaign.report("monitor SIGKILLed (Always, Never): restartCount \(node.status("always", "c")?.restartCount ?? -1), never-pod phase \(String(describing: node.pod("never")?.status?.phase))")
    }

    @Test func containerKilledFromOutsideRestartsPerPolicy() throws {
        let node = try AgentHarness("killcontainer")
        defer { node.shutDown() }
        try node.start()
        try node.write("always.yaml", TestManifests.sleeperPod("always"))
        try node.write("onfailure.yaml", TestManifests.sleeperPod("onfailure", restartPolicy: "OnFailure"))
        try node.write("never.yaml", TestManifests.sleeperPod("never", restartPolicy: "Never"))
        let pods = ["always", "onfailure", "never"]
        #expect(node.wait { pods.allSatisfy(node.running) }, "\(node.agentLog)")
        for pod in pods {
            let id = try #require(node.status(pod, "c")?.containerID?.components(separatedBy: "://").last)
            let record = try #require(ContainerFiles(root: node.root, id: id).monitor())
            #expect(kill(record.pid, SIGKILL) == 0)
        }
        for pod in ["always", "onfailure"] {
            #expect(node.wait(30) { (node.status(pod, "c")?.restartCount ?? 0) == 1 && node.running(pod) }, "\(pod): \(node.agentLog)")
            #expect(node.status(pod, "c")?.lastState?.terminated?.exitCode == 137)
            #expect(node.status(pod, "c")?.lastState?.terminated?.reason == "Error")
        }
        #expect(node.wait(30) { node.pod("never")?.status?.phase == .failed })
        #expect(node.status("never", "c")?.state?.terminated?.exitCode == 137)
        #expect(node.status("never", "c")?.restartCount == 0)
        Campaign.report("container init SIGKILLed from outside (Always, OnFailure, Never): restarted per policy")
    }

    @Test func failingCNIPluginIsShownRetriedAndLeaksNothing() throws {
        let node = try AgentHarness("cnifail")
        defer { node.shutDown() }
        let bin = node.base + "/cni-bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        // A plugin that counts its calls and refuses every ADD with a CNI error.
        try """
            #!/bin/sh
            echo "$CNI_COMMAND" >> \(node.base)/plugin-calls
            cat >/dev/null
            if [ "$CNI_COMMAND" = ADD ]; then
                echo '{"cniVersion": "1.0.0", "code": 11, "msg": "reliability: the network is down"}'
                exit 1
            fi
            exit 0
            """.write(toFile: bin + "/failing-plugin", atomically: true, encoding: .utf8)
        chmod(bin + "/failing-plugin", 0o755)
        let good = try String(contentsOfFile: node.base + "/cni/10-test.conflist", encoding: .utf8)
        try """
            {"cniVersion": "1.0.0", "name": "failing", "plugins": [{"type": "failing-plugin"}]}
            """.write(toFile: node.base + "/cni/10-test.conflist", atomically: true, encoding: .utf8)
        node.extraArguments = ["--cni-bin-dir", bin]
        try node.start()
        try node.write("net.yaml", TestManifests.sleeperPod("net"))
        #expect(node.wait(30) { node.status("net", "c")?.state?.waiting?.message?.contains("the network is down") == true }, "\(node.agentLog)")
        #expect(node.cli(["describe", "pod", "net"]).output.contains("the network is down"))
        func adds() -> Int { ((try? String(contentsOfFile: node.base + "/plugin-calls", encoding: .utf8)) ?? "").components(separatedBy: "ADD").count - 1 }
        #expect(node.wait(60) { adds() >= 2 }, "ADD was not retried: \(adds())")
        // Nothing leaks while it fails: one pinned sandbox at most, no container, no veth, no IP.
        let during = node.leftovers()
        #expect(during.containerDirs.isEmpty && during.monitors.isEmpty && during.veths.isEmpty && during.ipamFiles.isEmpty, "\(during)")
        #expect(during.sandboxes.count <= 1, "\(during)")
        // Deleting the failing pod leaves nothing either.
        node.remove("net.yaml")
        let nat = Set(node.natRules())
        #expect(node.wait(30) { node.pods().isEmpty && node.leftovers(natBaseline: nat).isEmpty }, "\(node.leftovers(natBaseline: nat))")
        Campaign.report("CNI ADD failing: error shown, \(adds()) ADD attempts, nothing leaked")
    }

    @Test func fullDiskUnderRootGivesClearErrorsAndRunningPodsAreUntouched() throws {
        let node = try AgentHarness("diskfull")
        defer {
            node.stop()
            _ = node.cli(["reset"])
            umount2(node.root, Int32(MNT_DETACH))
            node.shutDown()
        }
        // --root on a 24 MiB tmpfs, holding the busybox image.
        #expect(ImageFixtures.run("/bin/mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", node.root]) == 0)
        let imported = CapturedRun.run(builtBinary("swiftlet"), ["images", "import", ImageFixtures.testLayout, "--name", "busybox", "--root", node.root])
        #expect(imported.status == 0, "\(imported.stderr)")
        try node.start()
        try node.write("web.yaml", TestManifests.httpdPod("web"))
        #expect(node.wait { node.running("web") }, "\(node.agentLog)")
        let ip = try #require(node.pod("web")?.status?.podIP)
        let webID = node.status("web", "c")?.containerID
        // Fill it.
        _ = ImageFixtures.run("/bin/dd", ["if=/dev/zero", "of=" + node.root + "/filler", "bs=1M", "count=64"])
        var fs = statvfs()
        statvfs(node.root, &fs)
        #expect(fs.f_bavail == 0, "the tmpfs is not full")
        try node.write("late.yaml", TestManifests.sleeperPod("late"))
        // The new pod shows why it cannot start; the agent says so once, clearly.
        #expect(node.wait(30) {
            let text = (node.pod("late").map { "\($0.status?.containerStatuses ?? [])" } ?? "") + node.agentLog
            return text.contains("No space left on device")
        }, "\(node.agentLog)")
        #expect(node.running("web") && node.status("web", "c")?.containerID == webID && node.status("web", "c")?.restartCount == 0)
        #expect(node.curl("http://\(ip):8080/")?.contains("Hello from Swiftlet") == true)
        #expect(!node.running("late"))
        #expect(node.agentPID != nil, "the agent exited:\n\(node.agentLog)")
        // Space again: the waiting pod starts.
        unlink(node.root + "/filler")
        let recovered = node.wait(30) { node.running("late") }
        #expect(recovered, "\(node.agentLog)")
        Campaign.report("--root full (24 MiB tmpfs): new pod reported ENOSPC, running pod kept serving; \(recovered ? "started" : "not retried") once space returned")
    }
}
