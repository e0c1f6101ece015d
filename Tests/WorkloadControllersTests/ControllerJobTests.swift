import Foundation
import KubeAPI
import Testing
@testable import WorkloadControllers

@Suite struct ControllerJobTests {
    func jobObject(_ name: String, _ spec: JobSpec) -> KubeObject { .job(Job(metadata: ObjectMeta(name: name), spec: spec)) }

    func active(_ node: FakeNode) -> [Pod] {
        node.state.pods.filter { node.observed[$0.metadata.uid!].map { !node.isTerminal($0) } ?? true }
    }

    @Test func completionsThreeParallelismTwoCompletes() throws {
        let node = FakeNode([jobObject("pi", jobSpec(completions: 3, parallelism: 2))])
        node.pass()
        #expect(node.state.pods.count == 2)
        let job = try #require(node.job("pi"))
        for pod in node.state.pods {
            #expect(pod.metadata.name!.hasPrefix("pi-"))
            #expect(pod.metadata.labels?["job-name"] == "pi")
            #expect(pod.metadata.labels?["controller-uid"] == job.metadata.uid)
            #expect(pod.metadata.labels?["batch.kubernetes.io/job-name"] == "pi")
            #expect(pod.metadata.ownerReferences?.first?.kind == "Job")
            #expect(pod.spec.restartPolicy == .never)
        }
        #expect(job.status?.active == 2)
        #expect(job.status?.startTime != nil)
        for pod in node.state.pods { node.finish(pod.metadata.uid!, exitCode: 0) }
        node.pass()
        #expect(node.job("pi")?.status?.succeeded == 2)
        #expect(node.job("pi")?.status?.active == 1)
        #expect(node.state.pods.count == 3)
        for pod in active(node) { node.finish(pod.metadata.uid!, exitCode: 0) }
        node.pass()
        let done = try #require(node.job("pi"))
        #expect(done.status?.succeeded == 3)
        #expect(done.status?.active == 0)
        #expect(done.status?.completionTime != nil)
        #expect(done.status?.conditions?.contains { $0.type == "Complete" && $0.status == .true } == true)
        #expect(node.events("Completed").map(\.message) == ["Job completed"])
        // Finished pods stay listed (as `Completed`) until the Job goes.
        #expect(node.state.pods.count == 3)
        node.passes(3)
        #expect(node.state.pods.count == 3)
        #expect(node.job("pi")?.status?.succeeded == 3)
    }

    @Test func backoffLimitStopsRetriesWithGrowingDelays() throws {
        let node = FakeNode([jobObject("flaky", jobSpec(backoffLimit: 2))])
        node.pass()
        var created: [Date] = []
        var failures = 0
        var seen = Set<String>()
        for _ in 0..<200 {
            for pod in active(node) where !seen.contains(pod.metadata.uid!) {
                seen.insert(pod.metadata.uid!)
                created.append(node.now)
                node.finish(pod.metadata.uid!, exitCode: 1)
                failures += 1
            }
            node.pass()
            if node.job("flaky")?.status?.conditions?.contains(where: { $0.type == "Failed" }) == true { break }
        }
        let job = try #require(node.job("flaky"))
        let failed = try #require(job.status?.conditions?.first { $0.type == "Failed" })
        #expect(failed.reason == "BackoffLimitExceeded")
        #expect(failed.message == "Job has reached the specified backoff limit")
        #expect(job.status?.failed == 3)
        #expect(created.count == 3)
        // 10 s after the first failure, then 20 s after the second.
        let gaps = zip(created.dropFirst(), created).map { $0.timeIntervalSince($1) }
        #expect(gaps == [10, 20])
        #expect(node.state.pods.count == 3)
        node.passes(30, advance: 60)
        #expect(node.state.pods.count == 3)
    }

    @Test func backoffDelayDoublesToSixMinutes() {
        #expect((1...8).map { JobController.backoffDelay(failures: $0) } == [10, 20, 40, 80, 160, 320, 360, 360])
    }

    @Test func activeDeadlineFailsTheJob() throws {
        let node = FakeNode([jobObject("slow", jobSpec(activeDeadlineSeconds: 30))])
        node.passes(2)
        #expect(node.readyPods.count == 1)
        node.pass(advance: 27)  // 29 s after the Job started
        #expect(node.job("slow")?.status?.conditions == nil)
        node.pass(advance: 5)
        let job = try #require(node.job("slow"))
        #expect(job.status?.conditions?.first?.reason == "DeadlineExceeded")
        #expect(job.status?.conditions?.first?.message == "Job was active longer than specified deadline")
        #expect(job.status?.active == 0)
        #expect(job.status?.failed == 1)
        #expect(node.state.pods.isEmpty)
    }

    @Test func ttlRemovesTheJobAndItsPodsOnce() throws {
        let node = FakeNode([jobObject("once", jobSpec(ttl: 60))])
        node.pass()
        node.finish(node.state.pods[0].metadata.uid!, exitCode: 0)
        node.pass()
        #expect(node.job("once")?.status?.succeeded == 1)
        node.pass(advance: 30)
        #expect(node.job("once") != nil)
        #expect(node.state.pods.count == 1)
        node.pass(advance: 31)
        #expect(node.job("once") == nil)
        #expect(node.state.pods.isEmpty)
        node.passes(3)
        #expect(node.job("once") == nil)
        // An edited manifest is a new Job.
        node.objects = [jobObject("once", jobSpec(parallelism: 1, ttl: 120))]
        node.pass()
        #expect(node.job("once")?.status?.active == 1)
    }

    @Test func deletedPodCountsAsFailureAndIsReplaced() throws {
        let node = FakeNode([jobObject("w", jobSpec(backoffLimit: 5))])
        node.passes(2)
        let first = node.state.pods[0].metadata.uid!
        node.deleted = [first]
        node.pass()
        #expect(node.job("w")?.status?.failed == 1)
        #expect(node.state.pods.isEmpty)
        node.pass(advance: 10)
        #expect(node.state.pods.count == 1)
        #expect(node.state.pods[0].metadata.uid != first)
    }

    @Test func podFailurePolicyFailsOrIgnores() throws {
        let policy = PodFailurePolicy(rules: [
            PodFailurePolicyRule(action: "FailJob", onExitCodes: PodFailurePolicyOnExitCodesRequirement(operator: "In", values: [42])),
            PodFailurePolicyRule(action: "Ignore", onExitCodes: PodFailurePolicyOnExitCodesRequirement(operator: "In", values: [137])),
        ])
        let node = FakeNode([jobObject("p", jobSpec(backoffLimit: 0, podFailurePolicy: policy))])
        node.pass()
        let ignored = node.state.pods[0]
        node.finish(ignored.metadata.uid!, exitCode: 137)
        node.pass()
        #expect(node.job("p")?.status?.failed ?? 0 == 0)
        #expect(active(node).count == 1)
        let fatal = active(node)[0]
        node.finish(fatal.metadata.uid!, exitCode: 42)
        node.pass()
        let failed = try #require(node.job("p")?.status?.conditions?.first { $0.type == "Failed" })
        #expect(failed.reason == "PodFailurePolicy")
        #expect(failed.message == "Container main for pod default/\(fatal.metadata.name!) failed with exit code 42 matching FailJob rule at index 0")
    }

    @Test func onFailureRestartsCountTowardTheBackoffLimit() throws {
        var spec = jobSpec(backoffLimit: 2)
        spec.template.spec.restartPolicy = .onFailure
        let node = FakeNode([jobObject("retry", spec)])
        node.passes(2)
        let uid = node.state.pods[0].metadata.uid!
        node.observed[uid]?.status?.containerStatuses = [
            ContainerStatus(name: "main", ready: false, restartCount: 2, image: "busybox:1.36", imageID: "")
        ]
        node.pass()
        #expect(node.job("retry")?.status?.conditions == nil)
        node.observed[uid]?.status?.containerStatuses?[0].restartCount = 3
        node.pass()
        #expect(node.job("retry")?.status?.conditions?.first?.reason == "BackoffLimitExceeded")
        #expect(node.state.pods.isEmpty)
    }

    @Test func ttlAlsoRemovesAFailedJob() {
        let node = FakeNode([jobObject("bad", jobSpec(backoffLimit: 0, ttl: 0))])
        node.pass()
        node.finish(node.state.pods[0].metadata.uid!, exitCode: 1)
        node.pass()
        #expect(node.job("bad")?.status?.conditions?.first?.reason == "BackoffLimitExceeded")
        node.pass()
        #expect(node.job("bad") == nil)
        #expect(node.state.pods.isEmpty)
    }

    @Test func suspendedJobRunsNothing() {
        var spec = jobSpec()
        spec.suspend = true
        let node = FakeNode([jobObject("s", spec)])
        node.passes(2)
        #expect(node.state.pods.isEmpty)
        #expect(node.job("s")?.status?.conditions?.first?.type == "Suspended")
        spec.suspend = false
        node.objects = [jobObject("s", spec)]
        node.pass()
        #expect(node.state.pods.count == 1)
    }

    @Test func removingTheManifestRemovesTheJobAndPods() {
        let node = FakeNode([jobObject("gone", jobSpec())])
        node.passes(2)
        node.objects = []
        node.pass()
        #expect(node.state.jobs.isEmpty)
        #expect(node.state.pods.isEmpty)
    }
}

@Suite struct ControllerReplicaSetAndDaemonSetTests {
    @Test func standaloneReplicaSetKeepsItsReplicas() throws {
        let rs = KubeObject.replicaSet(
            ReplicaSet(
                metadata: ObjectMeta(name: "cache"),
                spec: ReplicaSetSpec(replicas: 2, selector: LabelSelector(matchLabels: ["app": "cache"]), template: podTemplate(app: "cache"))))
        let node = FakeNode([rs])
        node.passes(3)
        let state = try #require(node.state.replicaSets.first)
        #expect(state.status?.replicas == 2)
        #expect(state.status?.readyReplicas == 2)
        #expect(node.state.pods.allSatisfy { $0.metadata.name!.hasPrefix("cache-") && $0.metadata.name!.count == 11 })
        node.deleted = [node.state.pods[0].metadata.uid!]
        node.pass()
        #expect(node.state.pods.count == 2)
    }

    @Test func daemonSetRunsOnePodAndReplacesItOnTemplateChange() throws {
        func ds(_ version: String) -> KubeObject {
            .daemonSet(DaemonSet(metadata: ObjectMeta(name: "agent"), spec: DaemonSetSpec(template: podTemplate(app: "agent", version: version))))
        }
        let node = FakeNode([ds("v1")])
        node.terminationPasses = 2
        node.passes(3)
        #expect(node.state.pods.count == 1)
        let first = node.state.pods[0]
        #expect(first.metadata.name!.hasPrefix("agent-"))
        #expect(first.metadata.labels?["controller-revision-hash"] == PodTemplateHash.of(node.state.daemonSets[0].spec.template))
        #expect(node.state.daemonSets[0].status?.numberReady == 1)

        node.objects = [ds("v2")]
        node.pass()
        #expect(node.state.pods.isEmpty)  // the old pod is stopping
        node.pass()
        #expect(node.state.pods.isEmpty)
        node.passes(3)
        #expect(node.state.pods.count == 1)
        #expect(node.state.pods[0].spec.containers[0].env?.first?.value == "v2")
        #expect(node.state.daemonSets[0].status?.updatedNumberScheduled == 1)

        node.deleted = [node.state.pods[0].metadata.uid!]
        node.terminationPasses = 0
        node.passes(2)
        #expect(node.state.pods.count == 1)
    }
}
