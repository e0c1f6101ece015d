import Foundation
import KubeAPI

/// Objects a manifest declares and the state keeps, with identity added by the controllers.
protocol ManagedWorkload {
    associatedtype Spec: Equatable
    associatedtype Status
    var metadata: ObjectMeta { get set }
    var spec: Spec { get set }
    /// The status the controllers own.
    var status: Status? { get set }
}

extension Deployment: ManagedWorkload {}
extension ReplicaSet: ManagedWorkload {}
extension DaemonSet: ManagedWorkload {}
extension Job: ManagedWorkload {}
extension CronJob: ManagedWorkload {}

/// The part of a pass before the controllers run and after: the manifests' objects merged
/// into the state, user deletions, and the garbage collector.
extension WorkloadPass {
    /// Pods the user deleted leave the desired list (their controller replaces them).
    mutating func forgetDeletedPods(jobs: JobController) {
        guard !deletedPods.isEmpty else { return }
        for pod in state.pods where deletedPods.contains(pod.metadata.uid ?? "") {
            jobs.noteDeleted(pod, &self)
        }
        removePods(uids: deletedPods)
    }

    /// Merges the manifests' workload objects into the state: a new object gets a uid and
    /// generation 1; a changed spec bumps the generation; status and controller annotations stay.
    mutating func adoptManifests(_ objects: [KubeObject], jobs: JobController) {
        var deployments: [Deployment] = [], replicaSets: [ReplicaSet] = [], daemonSets: [DaemonSet] = []
        var manifestJobs: [Job] = [], cronJobs: [CronJob] = []
        var seen = Set<String>()
        for var object in objects {
            object.applyDefaults()
            let key = "\(object.kind)/\(object.metadata.key)"
            guard seen.insert(key).inserted else { continue }
            switch object {
            case .deployment(let o): deployments.append(o)
            case .replicaSet(let o): replicaSets.append(o)
            case .daemonSet(let o): daemonSets.append(o)
            case .job(let o): manifestJobs.append(o)
            case .cronJob(let o): cronJobs.append(o)
            default: break
            }
        }
        let previousDeployments = state.deployments
        state.deployments = deployments.map { d in
            let previous = previousDeployments.first { $0.metadata.key == d.metadata.key }
            var merged = merge(d, previous: previous)
            merged.metadata.annotations = Self.keepAnnotations(
                merged.metadata.annotations, from: previous?.metadata.annotations, prefix: "deployment.kubernetes.io/")
            return merged
        }
        let owned = state.replicaSets.filter { $0.metadata.controllerUID != nil }
        let standalone = state.replicaSets.filter { $0.metadata.controllerUID == nil }
        state.replicaSets = owned + replicaSets.map { rs in merge(rs, previous: standalone.first { $0.metadata.key == rs.metadata.key }) }
        let previousDaemonSets = state.daemonSets
        state.daemonSets = daemonSets.map { ds in merge(ds, previous: previousDaemonSets.first { $0.metadata.key == ds.metadata.key }) }
        let previousCronJobs = state.cronJobs
        state.cronJobs = cronJobs.map { cj in merge(cj, previous: previousCronJobs.first { $0.metadata.key == cj.metadata.key }) }
        jobs.adoptManifests(manifestJobs, &self)
    }

    mutating func merge<T: ManagedWorkload>(_ object: T, previous: T?) -> T {
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

    static func keepAnnotations(_ annotations: [String: String]?, from previous: [String: String]?, prefix: String) -> [String: String]? {
        var result = annotations ?? [:]
        for (key, value) in previous ?? [:] where key.hasPrefix(prefix) && result[key] == nil { result[key] = value }
        return result.isEmpty ? nil : result
    }

    /// Removes what lost its owner: ReplicaSets of deleted Deployments, Jobs of deleted
    /// CronJobs, pods of deleted controllers (the agent terminates them).
    mutating func collectGarbage() {
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
}

extension WorkloadState {
    /// Every list in `namespace/name` order, so the persisted state does not depend on the
    /// order the manifests were read in.
    mutating func sortByKey() {
        func order(_ a: ObjectMeta, _ b: ObjectMeta) -> Bool { a.key < b.key }
        deployments.sort { order($0.metadata, $1.metadata) }
        replicaSets.sort { order($0.metadata, $1.metadata) }
        daemonSets.sort { order($0.metadata, $1.metadata) }
        jobs.sort { order($0.metadata, $1.metadata) }
        cronJobs.sort { order($0.metadata, $1.metadata) }
        pods.sort { order($0.metadata, $1.metadata) }
    }
}
