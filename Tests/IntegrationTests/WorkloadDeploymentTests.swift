import Foundation
import KubeAPI
import Kubelet
import Testing

/// Issue #6 §1: Deployments through `swiftlet run` with real pods: replicas, self-healing,
/// scaling, rolling updates.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct WorkloadDeploymentTests {
    @Test func replicasRunSelfHealAndScale() throws {
        let node = try AgentHarness("deploy")
        defer { node.shutDown() }
        try node.start()
        try node.write("web.yaml", TestManifests.deployment("web", replicas: 3))
        #expect(node.wait(60) { node.runningPods("web").count == 3 }, "never 3 running:\n\(node.agentLog)")
        #expect(node.wait(10) { node.cli(["get", "deployments"]).output.contains("3/3") })
        let table = node.cli(["get", "deploy"]).output
        #expect(table.hasPrefix("NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    3/3     3            3"), "\(table)")
        // Pods are named <deployment>-<template hash>-<5 chars> and owned by its ReplicaSet.
        let pods = node.runningPods("web")
        #expect(node.cli(["get", "rs"]).output.contains("3         3         3"))
        for pod in pods {
            let parts = (pod.metadata.name ?? "").split(separator: "-")
            #expect(parts.count == 3 && parts[2].count == 5, "\(pod.metadata.name ?? "")")
            #expect(pod.metadata.ownerReferences?.first?.kind == "ReplicaSet")
        }
        #expect(node.cli(["get", "pods"]).output.split(separator: "\n").filter { $0.contains("Running") }.count == 3)

        // Deleting one pod with the CLI: it goes, and a new one takes its place.
        let victim = try #require(pods.first?.metadata.name)
        let deleted = node.cli(["delete", "pod", victim])
        #expect(deleted.status == 0 && deleted.output.contains("pod \"\(victim)\" deleted"), "\(deleted.output)")
        #expect(node.wait(60) {
            let running = node.runningPods("web")
            return running.count == 3 && !running.contains { $0.metadata.name == victim }
        }, "not replaced:\n\(node.agentLog)")

        // SIGKILL of another pod's process: its container restarts, 3 run again.
        let target = try #require(node.runningPods("web").first)
        let pid = try #require(node.containerPID(target))
        #expect(kill(pid, SIGKILL) == 0)
        #expect(node.wait(60) {
            let running = node.runningPods("web")
            return running.count == 3
                && running.contains { $0.metadata.uid == target.metadata.uid && ($0.status?.containerStatuses?.first?.restartCount ?? 0) >= 1 }
        }, "not healed after SIGKILL:\n\(node.agentLog)")

        // Scaling: 5, then 1.
        try node.write("web.yaml", TestManifests.deployment("web", replicas: 5))
        #expect(node.wait(60) { node.runningPods("web").count == 5 }, "never 5:\n\(node.agentLog)")
        #expect(node.wait(10) { node.cli(["get", "deployments"]).output.contains("5/5") })
        try node.write("web.yaml", TestManifests.deployment("web", replicas: 1))
        #expect(node.wait(60) { node.ownedPods("web").count == 1 && node.runningPods("web").count == 1 }, "never 1:\n\(node.agentLog)")
        #expect(node.wait(10) { node.cli(["get", "deployments"]).output.contains("1/1") })
        let described = node.cli(["describe", "deployment", "web"]).output
        #expect(described.contains("ScalingReplicaSet"), "\(described)")

        // Removing the manifest removes the Deployment, its ReplicaSet and pods.
        node.remove("web.yaml")
        #expect(node.wait(60) { node.ownedPods("web").isEmpty })
        #expect(node.wait(10) { node.cli(["get", "deploy"]).output.isEmpty })
    }
}

extension WorkloadDeploymentTests {
    @Test func templateChangeRollsOutKeepingReadyPods() throws {
        let node = try AgentHarness("rollout")
        defer { node.shutDown() }
        try node.start()
        try node.write("app.yaml", TestManifests.deployment("app", replicas: 3, env: ["VERSION": "1"], TestManifests.readyAfterOneSecond))
        #expect(node.wait(60) { node.readyPods("app").count == 3 }, "never 3 ready:\n\(node.agentLog)")
        #expect(node.wait(10) { node.cli(["rollout", "status", "deployment/app", "--no-watch"]).output == "deployment \"app\" successfully rolled out\n" })
        let before = Set(node.ownedPods("app").compactMap(\.metadata.name))

        // maxSurge 1, maxUnavailable 0 (25% of 3, rounded as upstream): Ready never below 3.
        try node.write("app.yaml", TestManifests.deployment("app", replicas: 3, env: ["VERSION": "2"], TestManifests.readyAfterOneSecond))
        var lowest = Int.max
        let rolled = node.wait(120) {
            lowest = min(lowest, node.readyPods("app").count)
            let pods = node.ownedPods("app")
            return pods.count == 3 && node.readyPods("app").count == 3
                && pods.allSatisfy { pod in pod.spec.containers[0].env?.contains { $0.name == "VERSION" && $0.value == "2" } == true }
        }
        #expect(rolled, "rollout did not finish:\n\(node.agentLog)")
        #expect(lowest >= 3, "ready pods fell to \(lowest)")
        #expect(before.isDisjoint(with: node.ownedPods("app").compactMap(\.metadata.name)))
        let status = node.cli(["rollout", "status", "deployment/app", "--timeout", "30"])
        #expect(status.status == 0 && status.output.hasSuffix("deployment \"app\" successfully rolled out\n"), "\(status.output)")
        let history = node.cli(["rollout", "history", "deployment/app"]).output
        #expect(history.contains("REVISION  CHANGE-CAUSE\n1         <none>\n2         <none>"), "\(history)")
        let replicaSets = node.cli(["get", "rs"]).output.split(separator: "\n")
        #expect(replicaSets.count == 3, "\(replicaSets)")
        let exec = node.cli(["exec", try #require(node.ownedPods("app").first?.metadata.name), "--", "sh", "-c", "echo $VERSION"])
        #expect(exec.output == "2\n")
    }
}
