import Foundation
import KubeAPI
import Testing
@testable import WorkloadControllers

@Suite struct ControllerDeploymentTests {
    @Test func createsNamedOwnedPodsOnThisNode() throws {
        let node = FakeNode([deploymentObject("web", replicas: 3, namespace: "shop")])
        node.pass()
        let d = node.deployment("web")
        let rsList = node.replicaSets(of: "web")
        #expect(rsList.count == 1)
        let rs = try #require(rsList.first)
        let hash = PodTemplateHash.of(d.spec.template)
        #expect(rs.metadata.name == "web-\(hash)")
        #expect(rs.metadata.annotations?["deployment.kubernetes.io/revision"] == "1")
        #expect(d.metadata.annotations?["deployment.kubernetes.io/revision"] == "1")
        #expect(node.state.pods.count == 3)
        for pod in node.state.pods {
            let name = try #require(pod.metadata.name)
            #expect(name.hasPrefix("web-\(hash)-"))
            let suffix = name.dropFirst("web-\(hash)-".count)
            #expect(suffix.count == 5)
            #expect(suffix.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
            #expect(pod.metadata.namespace == "shop")
            #expect(pod.metadata.labels == ["app": "web", "pod-template-hash": hash])
            #expect(pod.metadata.ownerReferences?.first?.kind == "ReplicaSet")
            #expect(pod.metadata.ownerReferences?.first?.uid == rs.metadata.uid)
            #expect(pod.metadata.ownerReferences?.first?.controller == true)
            #expect(pod.spec.nodeName == "node-1")
            #expect(pod.spec.restartPolicy == .always)
            #expect(pod.spec.terminationGracePeriodSeconds == 30)
        }
        #expect(Set(node.state.pods.map(\.metadata.uid)).count == 3)
        #expect(node.events("SuccessfulCreate").count == 3)
        #expect(node.events("ScalingReplicaSet").first?.message == "Scaled up replica set web-\(hash) from 0 to 3")
    }

    @Test func scalesThreeToFiveToOne() {
        let node = FakeNode([deploymentObject("web", replicas: 3)])
        node.passes(3)
        #expect(node.readyPods.count == 3)
        #expect(node.deployment("web").status?.readyReplicas == 3)
        #expect(node.deployment("web").status?.availableReplicas == 3)
        let original = Set(node.state.pods.map(\.metadata.uid))

        node.objects = [deploymentObject("web", replicas: 5)]
        node.passes(2)
        #expect(node.state.pods.count == 5)
        #expect(node.readyPods.count == 5)
        #expect(original.isSubset(of: Set(node.state.pods.map(\.metadata.uid))))
        #expect(node.replicaSets(of: "web").count == 1)
        #expect(node.deployment("web").status?.replicas == 5)

        node.objects = [deploymentObject("web", replicas: 1)]
        node.pass()
        #expect(node.state.pods.count == 1)
        #expect(node.deployment("web").status?.replicas == 1)
        #expect(node.deployment("web").metadata.generation == 3)
        #expect(node.deployment("web").status?.observedGeneration == 3)
        #expect(node.replicaSets(of: "web").first?.spec.replicas == 1)
    }

    @Test func scaleDownRemovesNotReadyAndNewestFirst() throws {
        let node = FakeNode([deploymentObject("web", replicas: 3)])
        node.passes(3)
        let readyOld = Set(node.state.pods.map(\.metadata.uid!))
        node.objects = [deploymentObject("web", replicas: 5)]
        node.autoReady = false
        node.pass()  // two new pods, not ready
        #expect(node.state.pods.count == 5)
        node.objects = [deploymentObject("web", replicas: 3)]
        node.pass()
        #expect(Set(node.state.pods.map(\.metadata.uid!)) == readyOld)
    }

    @Test func replacesDeletedAndFailedPods() throws {
        let node = FakeNode([deploymentObject("web", replicas: 3)])
        node.passes(3)
        let victim = try #require(node.state.pods.first?.metadata.uid)
        node.deleted = [victim]
        node.pass()
        #expect(node.state.pods.count == 3)
        #expect(!node.state.pods.contains { $0.metadata.uid == victim })

        node.pass()
        let failing = try #require(node.state.pods.last?.metadata.uid)
        node.finish(failing, exitCode: 137)
        node.pass()
        #expect(node.state.pods.count == 3)
        #expect(!node.state.pods.contains { $0.metadata.uid == failing })
        node.passes(2)
        #expect(node.readyPods.count == 3)
    }

    /// Samples every pass of a template change: Ready pods never drop below
    /// replicas − maxUnavailable and pods never exceed replicas + maxSurge.
    @Test(arguments: [
        (4, IntOrString.string("25%"), IntOrString.string("25%")),
        (3, IntOrString.string("25%"), IntOrString.string("25%")),
        (5, IntOrString.int(0), IntOrString.int(2)),
        (5, IntOrString.int(2), IntOrString.int(0)),
        (10, IntOrString.string("30%"), IntOrString.string("10%")),
    ])
    func rollingUpdateKeepsAvailability(replicas: Int, maxSurge: IntOrString, maxUnavailable: IntOrString) throws {
        let strategy = DeploymentStrategy(
            type: .rollingUpdate, rollingUpdate: RollingUpdateDeployment(maxUnavailable: maxUnavailable, maxSurge: maxSurge))
        let node = FakeNode([deploymentObject("web", replicas: replicas, strategy: strategy)])
        node.terminationPasses = 1
        node.passes(4)
        #expect(node.readyPods.count == replicas)
        let surge = maxSurge.scaledValue(total: replicas, roundUp: true)!
        var unavailable = maxUnavailable.scaledValue(total: replicas, roundUp: false)!
        if surge == 0 && unavailable == 0 { unavailable = 1 }

        node.objects = [deploymentObject("web", replicas: replicas, version: "v2", strategy: strategy)]
        var steps = 0
        repeat {
            node.pass()
            steps += 1
            #expect(node.readyPods.count >= replicas - unavailable, "step \(steps)")
            #expect(node.state.pods.count <= replicas + surge, "step \(steps)")
        } while steps < 100 && RolloutStatus.of(deployment: node.deployment("web")).isDone == false
        #expect(steps > 2)
        let rsList = node.replicaSets(of: "web")
        #expect(rsList.count == 2)
        let newRS = try #require(rsList.first { $0.metadata.annotations?["deployment.kubernetes.io/revision"] == "2" })
        #expect(node.state.pods.count == replicas)
        #expect(node.state.pods.allSatisfy { $0.metadata.ownerReferences?.first?.uid == newRS.metadata.uid })
        #expect(node.state.pods.allSatisfy { $0.spec.containers[0].env == [EnvVar(name: "VERSION", value: "v2")] })
        #expect(node.deployment("web").metadata.annotations?["deployment.kubernetes.io/revision"] == "2")
        #expect(RolloutStatus.text(deployment: node.deployment("web")) == "deployment \"web\" successfully rolled out")
    }

    @Test func rollingUpdateWaitsForReadiness() {
        let node = FakeNode([deploymentObject("web", replicas: 4)])
        node.passes(3)
        node.autoReady = false
        node.objects = [deploymentObject("web", replicas: 4, version: "v2")]
        node.passes(10)
        // 25%: one surge pod and one old pod replaced, then nothing until new pods are Ready.
        #expect(node.readyPods.count == 3)
        #expect(node.state.pods.count == 5)
        let status = RolloutStatus.text(deployment: node.deployment("web"))
        #expect(status == "Waiting for deployment \"web\" rollout to finish: 2 out of 4 new replicas have been updated...")
        #expect(node.deployment("web").status?.updatedReplicas == 2)
        #expect(node.deployment("web").status?.unavailableReplicas == 1)
    }

    @Test func recreateStopsOldPodsBeforeStartingNew() throws {
        let strategy = DeploymentStrategy(type: .recreate)
        let node = FakeNode([deploymentObject("web", replicas: 3, strategy: strategy)])
        node.passes(3)
        let old = Set(node.state.pods.map(\.metadata.uid!))
        node.terminationPasses = 3
        node.objects = [deploymentObject("web", replicas: 3, version: "v2", strategy: strategy)]
        for _ in 0..<12 {
            node.pass()
            let oldObserved = node.observed.keys.filter { old.contains($0) }
            let newPods = node.state.pods.filter { !old.contains($0.metadata.uid!) }
            if !oldObserved.isEmpty { #expect(newPods.isEmpty) }
        }
        #expect(node.state.pods.count == 3)
        #expect(node.state.pods.allSatisfy { $0.spec.containers[0].env?.first?.value == "v2" })
        #expect(node.readyPods.count == 3)
        #expect(node.events("ScalingReplicaSet").map(\.message).contains { $0.hasSuffix("from 3 to 0") })
        #expect(RolloutStatus.of(deployment: node.deployment("web")).isDone)
    }

    @Test func revisionHistoryLimitPrunesOldReplicaSets() {
        let node = FakeNode([deploymentObject("web", replicas: 2, revisionHistoryLimit: 1)])
        for version in ["v1", "v2", "v3", "v4"] {
            node.objects = [deploymentObject("web", replicas: 2, version: version, revisionHistoryLimit: 1)]
            node.passes(12)
        }
        let revisions = node.replicaSets(of: "web").map { $0.metadata.annotations?["deployment.kubernetes.io/revision"] ?? "" }
        #expect(revisions.sorted() == ["3", "4"])
        #expect(node.state.pods.count == 2)
    }

    @Test func rollbackReusesTheEarlierReplicaSet() throws {
        let node = FakeNode([deploymentObject("web", replicas: 2, annotations: ["kubernetes.io/change-cause": "first"])])
        node.passes(4)
        let first = try #require(node.replicaSets(of: "web").first)
        node.objects = [deploymentObject("web", replicas: 2, version: "v2", annotations: ["kubernetes.io/change-cause": "second"])]
        node.passes(12)
        node.objects = [deploymentObject("web", replicas: 2, annotations: ["kubernetes.io/change-cause": "back"])]
        node.passes(12)
        let rsList = node.replicaSets(of: "web")
        #expect(rsList.count == 2)
        let reused = try #require(rsList.first { $0.metadata.uid == first.metadata.uid })
        #expect(reused.metadata.name == first.metadata.name)
        #expect(reused.metadata.annotations?["deployment.kubernetes.io/revision"] == "3")
        #expect(reused.metadata.annotations?["deployment.kubernetes.io/revision-history"] == "1")
        #expect(reused.spec.replicas == 2)
        #expect(node.state.pods.allSatisfy { $0.metadata.ownerReferences?.first?.uid == first.metadata.uid })
        #expect(node.deployment("web").metadata.annotations?["deployment.kubernetes.io/revision"] == "3")

        let history = RolloutHistory.text(deployment: node.deployment("web"), replicaSets: node.state.replicaSets)
        #expect(history == "deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         second\n3         back\n\n")
        let detail = try #require(
            RolloutHistory.text(deployment: node.deployment("web"), replicaSets: node.state.replicaSets, revision: 2))
        #expect(detail.hasPrefix("deployment.apps/web with revision #2\nPod Template:\n  Labels:\tapp=web\n"))
        #expect(detail.contains("    Image:\tbusybox:1.36\n"))
        #expect(detail.contains("      VERSION:\tv2\n"))
        #expect(RolloutHistory.text(deployment: node.deployment("web"), replicaSets: node.state.replicaSets, revision: 9) == nil)
    }

    @Test func conditionsAndMinReadySeconds() throws {
        let node = FakeNode([deploymentObject("web", replicas: 2, minReadySeconds: 10)])
        node.passes(3)
        var d = node.deployment("web")
        #expect(d.status?.readyReplicas == 2)
        #expect(d.status?.availableReplicas == 0)
        let available = try #require(d.status?.conditions?.first { $0.type == "Available" })
        #expect(available.status == .false)
        #expect(available.reason == "MinimumReplicasUnavailable")
        #expect(RolloutStatus.text(deployment: d) == "Waiting for deployment \"web\" rollout to finish: 0 of 2 updated replicas are available...")
        node.pass(advance: 11)
        d = node.deployment("web")
        #expect(d.status?.availableReplicas == 2)
        #expect(d.status?.conditions?.first { $0.type == "Available" }?.reason == "MinimumReplicasAvailable")
        let progressing = try #require(d.status?.conditions?.first { $0.type == "Progressing" })
        #expect(progressing.reason == "NewReplicaSetAvailable")
        #expect(progressing.message == "ReplicaSet \"\(node.replicaSets(of: "web")[0].metadata.name!)\" has successfully progressed.")
    }

    @Test func progressDeadlineExceeded() {
        let node = FakeNode([deploymentObject("web", replicas: 1)])
        node.autoReady = false
        node.pass()
        node.pass(advance: 601)
        let d = node.deployment("web")
        #expect(d.status?.conditions?.first { $0.type == "Progressing" }?.reason == "ProgressDeadlineExceeded")
        let status = RolloutStatus.of(deployment: d)
        #expect(status.isFailed)
        #expect(status.text == "error: deployment \"web\" exceeded its progress deadline")
    }

    @Test func deletingTheDeploymentRemovesItsReplicaSetsAndPods() {
        let node = FakeNode([deploymentObject("web", replicas: 2), deploymentObject("api", replicas: 1)])
        node.passes(2)
        #expect(node.state.pods.count == 3)
        node.objects = [deploymentObject("api", replicas: 1)]
        node.pass()
        #expect(node.state.deployments.map(\.metadata.name) == ["api"])
        #expect(node.state.replicaSets.count == 1)
        #expect(node.state.pods.count == 1)
    }

    @Test func sameNameInTwoNamespacesCoexists() {
        let node = FakeNode([deploymentObject("web", replicas: 1, namespace: "a"), deploymentObject("web", replicas: 2, namespace: "b")])
        node.passes(2)
        #expect(node.state.deployments.count == 2)
        #expect(node.state.pods.filter { $0.metadata.namespace == "a" }.count == 1)
        #expect(node.state.pods.filter { $0.metadata.namespace == "b" }.count == 2)
    }

    @Test func stateRoundTripsThroughJSON() throws {
        let node = FakeNode([deploymentObject("web", replicas: 2)])
        node.passes(3)
        let data = try JSONEncoder().encode(node.state)
        let decoded = try JSONDecoder().decode(WorkloadState.self, from: data)
        #expect(decoded == node.state)
        let empty = try JSONDecoder().decode(WorkloadState.self, from: Data("{}".utf8))
        #expect(empty == WorkloadState())
    }
}
