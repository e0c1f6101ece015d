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
    public static func reconcile<Random: RandomNumberGenerator>(
        objects: [KubeObject], state: WorkloadState, observed: [Pod], deletedPods: Set<String>,
        nodeName: String, now: Date, random: inout Random
    ) -> WorkloadResult {
        var pass = WorkloadPass(
            state: state, observed: observed, deletedPods: deletedPods, nodeName: nodeName, now: now, random: random)
        run(objects: objects, &pass)
        random = pass.random
        return WorkloadResult(state: pass.state, events: pass.events)
    }

    /// The controllers in upstream's order of effect: Deployments size their ReplicaSets before
    /// the ReplicaSet controller makes pods, and read the result back for their status.
    static func run<Random>(objects: [KubeObject], _ pass: inout WorkloadPass<Random>) {
        let replicaSets = ReplicaSetController()
        var deployments = DeploymentController(replicaSets: replicaSets)
        let daemonSets = DaemonSetController()
        let jobs = JobController()
        let cronJobs = CronJobController()

        pass.forgetDeletedPods(jobs: jobs)
        pass.adoptManifests(objects, jobs: jobs)
        pass.collectGarbage()

        for index in pass.state.deployments.indices { deployments.sync(at: index, &pass) }
        for index in pass.state.replicaSets.indices { replicaSets.sync(at: index, &pass) }
        for index in pass.state.deployments.indices { deployments.updateStatus(at: index, &pass) }
        for index in pass.state.daemonSets.indices { daemonSets.sync(at: index, &pass) }
        // Jobs first, so a CronJob sees the Jobs that just finished; then the Jobs it created.
        syncJobs(jobs, skipping: [], &pass)
        let synced = Set(pass.state.jobs.compactMap(\.metadata.uid))
        for index in pass.state.cronJobs.indices { cronJobs.sync(at: index, &pass) }
        syncJobs(jobs, skipping: synced, &pass)
        pass.collectGarbage()
        pass.state.sortByKey()
    }

    static func syncJobs<Random>(_ jobs: JobController, skipping: Set<String>, _ pass: inout WorkloadPass<Random>) {
        var index = 0
        while index < pass.state.jobs.count {
            if skipping.contains(pass.state.jobs[index].metadata.uid ?? "") || jobs.sync(at: index, &pass) { index += 1 }
        }
    }
}
