import Foundation
import KubeAPI

/// The workload controllers of one node (Deployment, ReplicaSet, DaemonSet, Job, CronJob) as
/// one pure function: manifests + remembered state + observed pods + clock in, next state out.
public enum WorkloadControllers {
    /// One pass of every controller.
    ///
    /// - Parameters:
    ///   - objects: the workload objects of the manifests (other kinds are ignored).
    ///   - state: what the previous pass returned (`WorkloadState()` at first).
    ///   - observed: the pods as the agent sees them, with status (phase, Ready condition…).
    ///   - deletedPods: uids of pods the user deleted since the last pass.
    ///   - nodeName: the node every created pod is bound to.
    ///   - now: the clock.
    ///   - random: source of uids and name suffixes.
    public static func reconcile(
        objects: [KubeObject], state: WorkloadState, observed: [Pod], deletedPods: Set<String>,
        nodeName: String, now: Date, random: inout some RandomNumberGenerator
    ) -> WorkloadResult {
        let pass = ControllerPass(
            state: state, observed: observed, deletedPods: deletedPods, nodeName: nodeName, now: now, random: random)
        pass.run(objects: objects)
        random = pass.random
        return WorkloadResult(state: pass.state, events: pass.events)
    }
}

/// Objects a manifest declares and the state keeps, with identity added by the controllers.
protocol ManagedWorkload {
    associatedtype Spec: Equatable
    var metadata: ObjectMeta { get set }
    var spec: Spec { get set }
}

extension Deployment: ManagedWorkload {}
extension ReplicaSet: ManagedWorkload {}
extension DaemonSet: ManagedWorkload {}
extension Job: ManagedWorkload {}
extension CronJob: ManagedWorkload {}

extension ControllerPass {
    func run(objects: [KubeObject]) {
        forgetDeletedPods()
        adoptManifests(objects)
        collectGarbage()

        for index in state.deployments.indices { syncDeployment(at: index) }
        for index in state.replicaSets.indices { syncReplicaSet(at: index) }
        for index in state.deployments.indices { updateDeploymentStatus(at: index) }
        for index in state.daemonSets.indices { syncDaemonSet(at: index) }
        // Jobs first, so a CronJob sees the Jobs that just finished; then the Jobs it created.
        syncJobs(skipping: [])
        let synced = Set(state.jobs.compactMap(\.metadata.uid))
        for index in state.cronJobs.indices { syncCronJob(at: index) }
        syncJobs(skipping: synced)
        collectGarbage()
        sortState()
    }

    func syncJobs(skipping: Set<String>) {
        var index = 0
        while index < state.jobs.count {
            if skipping.contains(state.jobs[index].metadata.uid ?? "") || syncJob(at: index) { index += 1 }
        }
    }

    /// Pods the user deleted leave the desired list (their controller replaces them).
    func forgetDeletedPods() {
        guard !deletedPods.isEmpty else { return }
        for pod in state.pods where deletedPods.contains(pod.metadata.uid ?? "") {
            noteDeletedJobPod(pod)
        }
        removePods(uids: deletedPods)
    }

    /// Merges the manifests' workload objects into the state: a new object gets a uid and
    /// generation 1; a changed spec bumps the generation; status and controller annotations stay.
    func adoptManifests(_ objects: [KubeObject]) {
        var deployments: [Deployment] = [], replicaSets: [ReplicaSet] = [], daemonSets: [DaemonSet] = []
        var jobs: [Job] = [], cronJobs: [CronJob] = []
        var seen = Set<String>()
        for var object in objects {
            object.applyDefaults()
            let key = "\(object.kind)/\(object.metadata.key)"
            guard seen.insert(key).inserted else { continue }
            switch object {
            case .deployment(let o): deployments.append(o)
            case .replicaSet(let o): replicaSets.append(o)
            case .daemonSet(let o): daemonSets.append(o)
            case .job(let o): jobs.append(o)
            case .cronJob(let o): cronJobs.append(o)
            default: break
            }
        }
        state.deployments = deployments.map { d in
            var merged = merge(d, previous: state.deployments.first { $0.metadata.key == d.metadata.key })
            merged.metadata.annotations = keepAnnotations(
                merged.metadata.annotations, from: state.deployments.first { $0.metadata.key == d.metadata.key }?.metadata.annotations,
                prefix: "deployment.kubernetes.io/")
            return merged
        }
        let owned = state.replicaSets.filter { $0.metadata.controllerUID != nil }
        let standalone = state.replicaSets.filter { $0.metadata.controllerUID == nil }
        state.replicaSets = owned + replicaSets.map { rs in merge(rs, previous: standalone.first { $0.metadata.key == rs.metadata.key }) }
        state.daemonSets = daemonSets.map { ds in merge(ds, previous: state.daemonSets.first { $0.metadata.key == ds.metadata.key }) }
        state.cronJobs = cronJobs.map { cj in merge(cj, previous: state.cronJobs.first { $0.metadata.key == cj.metadata.key }) }
        adoptManifestJobs(jobs)
    }

    func merge<T: ManagedWorkload>(_ object: T, previous: T?) -> T where T: StatusCarrying {
        var object = object
        if let previous {
            object.metadata.uid = previous.metadata.uid
            object.metadata.creationTimestamp = previous.metadata.creationTimestamp
            let generation = previous.metadata.generation ?? 1
            object.metadata.generation = previous.spec == object.spec ? generation : generation + 1
            object.status = previous.status
        } else {
            if object.metadata.uid == nil || object.metadata.uid == "" { object.metadata.uid = newUID() }
            object.metadata.creationTimestamp = nowTime
            object.metadata.generation = 1
            object.status = nil
        }
        return object
    }

    func keepAnnotations(_ annotations: [String: String]?, from previous: [String: String]?, prefix: String) -> [String: String]? {
        var result = annotations ?? [:]
        for (key, value) in previous ?? [:] where key.hasPrefix(prefix) && result[key] == nil { result[key] = value }
        return result.isEmpty ? nil : result
    }

    /// Removes what lost its owner: ReplicaSets of deleted Deployments, Jobs of deleted
    /// CronJobs, pods of deleted controllers (the agent terminates them).
    func collectGarbage() {
        let deploymentUIDs = Set(state.deployments.compactMap(\.metadata.uid))
        state.replicaSets.removeAll { rs in rs.metadata.controllerUID.map { !deploymentUIDs.contains($0) } ?? false }
        let cronJobUIDs = Set(state.cronJobs.compactMap(\.metadata.uid))
        state.jobs.removeAll { job in job.metadata.controllerUID.map { !cronJobUIDs.contains($0) } ?? false }
        let owners = Set(
            state.replicaSets.compactMap(\.metadata.uid) + state.jobs.compactMap(\.metadata.uid)
                + state.daemonSets.compactMap(\.metadata.uid))
        state.pods.removeAll { !owners.contains($0.controllerUID ?? "") }
        let podUIDs = Set(state.pods.compactMap(\.metadata.uid))
        state.countedPods = state.countedPods.filter { podUIDs.contains($0.key) }
        let jobUIDs = Set(state.jobs.compactMap(\.metadata.uid))
        state.jobBackoff = state.jobBackoff.filter { jobUIDs.contains($0.key) }
    }

    func sortState() {
        func order(_ a: ObjectMeta, _ b: ObjectMeta) -> Bool { a.key < b.key }
        state.deployments.sort { order($0.metadata, $1.metadata) }
        state.replicaSets.sort { order($0.metadata, $1.metadata) }
        state.daemonSets.sort { order($0.metadata, $1.metadata) }
        state.jobs.sort { order($0.metadata, $1.metadata) }
        state.cronJobs.sort { order($0.metadata, $1.metadata) }
        state.pods.sort { order($0.metadata, $1.metadata) }
    }
}

/// A workload with a status the controllers own.
protocol StatusCarrying {
    associatedtype Status
    var status: Status? { get set }
}

extension Deployment: StatusCarrying {}
extension ReplicaSet: StatusCarrying {}
extension DaemonSet: StatusCarrying {}
extension Job: StatusCarrying {}
extension CronJob: StatusCarrying {}
