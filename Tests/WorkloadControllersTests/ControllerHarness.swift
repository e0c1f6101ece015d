import Foundation
import KubeAPI
import TestSupport
@testable import WorkloadControllers

/// The agent's side of the controllers, simulated with a fake clock: it starts every pod new
/// to `state.pods` (Pending), makes it Running and Ready on the following pass (when
/// `autoReady`), and terminates pods gone from the list after `terminationPasses` passes.
final class FakeNode {
    var objects: [KubeObject]
    var state = WorkloadState()
    var observed: [String: Pod] = [:]
    var lingering: [String: Int] = [:]
    var now: Date
    var random = SplitMix64(seed: 42)
    var events: [WorkloadEvent] = []
    var deleted: Set<String> = []
    var autoReady = true
    var terminationPasses = 0

    init(_ objects: [KubeObject], now: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        self.objects = objects
        self.now = now
    }

    /// Advances the clock, runs the controllers once, then lets the "kubelet" act.
    @discardableResult
    func pass(advance: TimeInterval = 1) -> [WorkloadEvent] {
        now = now.addingTimeInterval(advance)
        let result = WorkloadControllers.reconcile(
            objects: objects, state: state, observed: Array(observed.values), deletedPods: deleted,
            nodeName: "node-1", now: now, random: &random)
        deleted = []
        state = result.state
        events += result.events
        kubelet()
        return result.events
    }

    func passes(_ count: Int, advance: TimeInterval = 1) {
        for _ in 0..<count { pass(advance: advance) }
    }

    func kubelet() {
        let desired = Set(state.pods.compactMap(\.metadata.uid))
        for (uid, pod) in observed where !desired.contains(uid) {
            let left = lingering[uid] ?? terminationPasses
            if left <= 0 || isTerminal(pod) {
                observed.removeValue(forKey: uid)
                lingering.removeValue(forKey: uid)
            } else {
                lingering[uid] = left - 1
            }
        }
        if autoReady {
            for (uid, pod) in observed where desired.contains(uid) && pod.status?.phase == .pending {
                setRunning(uid, ready: true)
            }
        }
        for pod in state.pods where observed[pod.metadata.uid!] == nil {
            var started = pod
            started.status = PodStatus(phase: .pending, startTime: KubeTime(now))
            observed[pod.metadata.uid!] = started
        }
    }

    func isTerminal(_ pod: Pod) -> Bool { pod.status?.phase == .succeeded || pod.status?.phase == .failed }

    func setRunning(_ uid: String, ready: Bool) {
        guard var pod = observed[uid] else { return }
        pod.status?.phase = .running
        pod.status?.conditions = [
            PodCondition(type: "Ready", status: ready ? .true : .false, lastTransitionTime: KubeTime(now))
        ]
        observed[uid] = pod
    }

    /// The pod's containers exited: Succeeded (code 0) or Failed.
    func finish(_ uid: String, exitCode: Int) {
        guard var pod = observed[uid] else { return }
        pod.status?.phase = exitCode == 0 ? .succeeded : .failed
        pod.status?.conditions = [PodCondition(type: "Ready", status: .false, lastTransitionTime: KubeTime(now))]
        pod.status?.containerStatuses = [
            ContainerStatus(
                name: pod.spec.containers[0].name,
                state: ContainerState(
                    terminated: ContainerStateTerminated(
                        exitCode: exitCode, reason: exitCode == 0 ? "Completed" : "Error", finishedAt: KubeTime(now))),
                ready: false, restartCount: 0, image: pod.spec.containers[0].image ?? "", imageID: "")
        ]
        observed[uid] = pod
    }

    /// Pods that should exist and are seen Ready: what `swiftlet get pods` shows as 1/1.
    var readyPods: [Pod] {
        state.pods.filter { pod in
            observed[pod.metadata.uid!]?.status?.conditions?.contains { $0.type == "Ready" && $0.status == .true } ?? false
        }
    }

    func pods(of rs: ReplicaSet) -> [Pod] { state.pods.filter { $0.controllerUID == rs.metadata.uid } }
    func deployment(_ name: String) -> Deployment { state.deployments.first { $0.metadata.name == name }! }
    func replicaSets(of d: String) -> [ReplicaSet] {
        let uid = deployment(d).metadata.uid
        return state.replicaSets.filter { $0.metadata.ownerReferences?.first?.uid == uid }
    }
    func job(_ name: String) -> Job? { state.jobs.first { $0.metadata.name == name } }
    func events(_ reason: String) -> [WorkloadEvent] { events.filter { $0.reason == reason } }
}

func podTemplate(app: String, version: String = "v1", restartPolicy: RestartPolicy? = nil, command: [String]? = nil)
    -> PodTemplateSpec
{
    PodTemplateSpec(
        metadata: ObjectMeta(labels: ["app": app]),
        spec: PodSpec(
            containers: [
                Container(name: "main", image: "busybox:1.36", command: command, env: [EnvVar(name: "VERSION", value: version)])
            ],
            restartPolicy: restartPolicy))
}

func deploymentObject(
    _ name: String, replicas: Int, version: String = "v1", strategy: DeploymentStrategy? = nil,
    revisionHistoryLimit: Int? = nil, minReadySeconds: Int? = nil, namespace: String? = nil,
    annotations: [String: String]? = nil
) -> KubeObject {
    .deployment(
        Deployment(
            metadata: ObjectMeta(name: name, namespace: namespace, annotations: annotations),
            spec: DeploymentSpec(
                replicas: replicas, selector: LabelSelector(matchLabels: ["app": name]),
                template: podTemplate(app: name, version: version), strategy: strategy,
                minReadySeconds: minReadySeconds, revisionHistoryLimit: revisionHistoryLimit)))
}

func jobSpec(
    completions: Int? = nil, parallelism: Int? = nil, backoffLimit: Int? = nil, activeDeadlineSeconds: Int? = nil,
    ttl: Int? = nil, podFailurePolicy: PodFailurePolicy? = nil
) -> JobSpec {
    JobSpec(
        parallelism: parallelism, completions: completions, activeDeadlineSeconds: activeDeadlineSeconds,
        podFailurePolicy: podFailurePolicy, backoffLimit: backoffLimit,
        template: podTemplate(app: "batch", restartPolicy: .never, command: ["sh", "-c", "exit 0"]),
        ttlSecondsAfterFinished: ttl)
}
