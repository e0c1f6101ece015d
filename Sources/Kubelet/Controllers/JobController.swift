import Foundation
import KubeAPI

/// The Job controller: runs pods until `completions` succeed, `parallelism` at a time, retrying
/// failures with upstream's back-off until `backoffLimit`, failing at `activeDeadlineSeconds`,
/// and removing the finished Job and its pods after `ttlSecondsAfterFinished`.
extension ControllerPass {
    static var jobBackoffBase: TimeInterval { 10 }
    static var jobBackoffCap: TimeInterval { 360 }

    /// Merges the manifests' Jobs: an edit of an immutable field (template, completions,
    /// completion mode, selector) replaces the Job; the rest updates it.
    func adoptManifestJobs(_ jobs: [Job]) {
        let owned = state.jobs.filter { $0.metadata.controllerUID != nil }
        let previousStandalone = state.jobs.filter { $0.metadata.controllerUID == nil }
        var merged: [Job] = []
        let keys = Set(jobs.map(\.metadata.key))
        state.expiredJobs = state.expiredJobs.filter { keys.contains($0.key) }
        for job in jobs {
            let key = job.metadata.key
            if let expired = state.expiredJobs[key] {
                if expired == job.spec { continue }
                state.expiredJobs.removeValue(forKey: key)
            }
            var previous = previousStandalone.first { $0.metadata.key == key }
            if let p = previous,
                p.spec.template != job.spec.template || p.spec.completions != job.spec.completions
                    || p.spec.completionMode != job.spec.completionMode || p.spec.selector != job.spec.selector
            {
                previous = nil
            }
            merged.append(merge(job, previous: previous))
        }
        state.jobs = owned + merged
    }

    /// A pod deleted before it finished counts as a failure of its Job.
    func noteDeletedJobPod(_ pod: Pod) {
        guard let uid = pod.metadata.uid, state.countedPods[uid] == nil, !isTerminal(pod),
            let jobUID = pod.controllerUID, let index = state.jobs.firstIndex(where: { $0.metadata.uid == jobUID }),
            !Self.isFinished(state.jobs[index])
        else { return }
        var status = state.jobs[index].status ?? JobStatus()
        status.failed = (status.failed ?? 0) + 1
        state.jobs[index].status = status
        noteJobFailure(jobUID: jobUID, at: now)
    }

    func noteJobFailure(jobUID: String, at time: Date) {
        var record = state.jobBackoff[jobUID] ?? JobBackoffRecord()
        record.failuresAfterLastSuccess += 1
        record.lastFailureTime = max(record.lastFailureTime ?? time, time)
        state.jobBackoff[jobUID] = record
    }

    static func isFinished(_ job: Job) -> Bool {
        job.status?.conditions?.contains { ($0.type == "Complete" || $0.type == "Failed") && $0.status == .true } ?? false
    }

    static func condition(_ job: Job, _ type: String) -> WorkloadCondition? {
        job.status?.conditions?.first { $0.type == type && $0.status == .true }
    }

    /// The delay before the next pod after `failures` consecutive failures: 10 s doubling, 6 min cap.
    static func jobBackoffDelay(failures: Int) -> TimeInterval {
        guard failures > 0 else { return 0 }
        return min(jobBackoffBase * pow(2, Double(min(failures - 1, 30))), jobBackoffCap)
    }

    /// Syncs the Job at `index`; returns false when the Job was removed (TTL).
    func syncJob(at index: Int) -> Bool {
        var job = state.jobs[index]
        guard let uid = job.metadata.uid else { return true }
        var status = job.status ?? JobStatus()

        if Self.isFinished(job) {
            if let ttl = job.spec.ttlSecondsAfterFinished {
                let finished =
                    status.completionTime?.date ?? Self.condition(job, "Failed")?.lastTransitionTime?.date
                    ?? Self.condition(job, "Complete")?.lastTransitionTime?.date ?? now
                if finished.addingTimeInterval(TimeInterval(ttl)) <= now {
                    state.jobs.remove(at: index)
                    removePods(uids: Set(state.pods(ownedBy: uid).compactMap(\.metadata.uid)))
                    if job.metadata.controllerUID == nil { state.expiredJobs[job.metadata.key] = job.spec }
                    return false
                }
            }
            status.active = 0
            status.ready = 0
            state.jobs[index].status = status
            return true
        }
        if status.startTime == nil && job.spec.suspend != true { status.startTime = nowTime }

        var failJob: (reason: String, message: String)?
        let pods = state.pods(ownedBy: uid)
        for pod in pods {
            guard let podUID = pod.metadata.uid, state.countedPods[podUID] == nil else { continue }
            let phase = self.status(of: pod)?.phase
            if phase == .succeeded {
                state.countedPods[podUID] = .succeeded
                status.succeeded = (status.succeeded ?? 0) + 1
                state.jobBackoff[uid] = JobBackoffRecord()
            } else if phase == .failed {
                state.countedPods[podUID] = .failed
                switch podFailurePolicyAction(job, pod) {
                case .some(("Ignore", _)):
                    continue
                case .some(("FailJob", let message)):
                    failJob = failJob ?? ("PodFailurePolicy", message)
                default:
                    break
                }
                status.failed = (status.failed ?? 0) + 1
                noteJobFailure(jobUID: uid, at: finishedAt(pod) ?? now)
            }
        }
        var active = state.pods(ownedBy: uid).filter { !isTerminal($0) }
        let restarts = job.spec.template.spec.restartPolicy == .onFailure ? active.reduce(0) { $0 + restartCount($1) } : 0
        let succeeded = status.succeeded ?? 0

        if failJob == nil, (status.failed ?? 0) + restarts > (job.spec.backoffLimit ?? 6) {
            failJob = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
        }
        if failJob == nil, let deadline = job.spec.activeDeadlineSeconds, let start = status.startTime?.date,
            start.addingTimeInterval(TimeInterval(deadline)) <= now
        {
            failJob = ("DeadlineExceeded", "Job was active longer than specified deadline")
        }
        let complete =
            job.spec.completions.map { succeeded >= $0 } ?? (succeeded > 0 && active.isEmpty)
        if let failJob {
            deleteJobPods(job, active)
            status.failed = (status.failed ?? 0) + active.count
            active = []
            setJobCondition(&status, "Failed", failJob.reason, failJob.message)
            record("Job", job.metadata, failJob.reason, failJob.message, warning: true)
        } else if complete {
            deleteJobPods(job, active)
            active = []
            status.completionTime = nowTime
            setJobCondition(&status, "Complete", nil, nil)
            record("Job", job.metadata, "Completed", "Job completed")
        } else if job.spec.suspend == true {
            deleteJobPods(job, active)
            active = []
            status.startTime = nil
            if !(status.conditions ?? []).contains(where: { $0.type == "Suspended" && $0.status == .true }) {
                setJobCondition(&status, "Suspended", "JobSuspended", "Job suspended")
                record("Job", job.metadata, "Suspended", "Job suspended")
            }
        } else {
            if let i = status.conditions?.firstIndex(where: { $0.type == "Suspended" && $0.status == .true }) {
                status.conditions![i].status = .false
                status.conditions![i].reason = "JobResumed"
                status.conditions![i].message = "Job resumed"
                status.conditions![i].lastTransitionTime = nowTime
                record("Job", job.metadata, "Resumed", "Job resumed")
            }
            let parallelism = max(job.spec.parallelism ?? 1, 0)
            let want =
                job.spec.completions.map { min(parallelism, max($0 - succeeded, 0)) }
                ?? (succeeded > 0 ? active.count : parallelism)
            if active.count > want {
                let extra = Array(deletionOrder(active).prefix(active.count - want))
                deleteJobPods(job, extra)
                active.removeAll { pod in extra.contains { $0.metadata.uid == pod.metadata.uid } }
            } else if active.count < want && backoffElapsed(jobUID: uid) {
                for _ in active.count..<want { active.append(createJobPod(job)) }
            }
        }
        status.active = active.count
        status.ready = active.filter { isReady($0) }.count
        job.status = status
        state.jobs[index] = job
        return true
    }

    /// Whether the retry back-off after the last failure has passed.
    func backoffElapsed(jobUID: String) -> Bool {
        guard let record = state.jobBackoff[jobUID], let last = record.lastFailureTime else { return true }
        return last.addingTimeInterval(Self.jobBackoffDelay(failures: record.failuresAfterLastSuccess)) <= now
    }

    func finishedAt(_ pod: Pod) -> Date? {
        (status(of: pod)?.containerStatuses ?? []).compactMap { $0.state?.terminated?.finishedAt?.date }.max()
    }

    func createJobPod(_ job: Job) -> Pod {
        let uid = job.metadata.uid ?? ""
        let name = job.metadata.name ?? ""
        let owner = OwnerReference(
            apiVersion: "batch/v1", kind: "Job", name: name, uid: uid, controller: true, blockOwnerDeletion: true)
        let pod = makePod(
            template: job.spec.template, namePrefix: name + "-",
            namespace: job.metadata.namespace ?? ObjectMeta.defaultNamespace, owner: owner,
            extraLabels: [
                "controller-uid": uid, "job-name": name,
                "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name,
            ])
        state.pods.append(pod)
        record("Job", job.metadata, "SuccessfulCreate", "Created pod: \(pod.metadata.name ?? "")")
        return pod
    }

    func deleteJobPods(_ job: Job, _ pods: [Pod]) {
        for pod in pods { record("Job", job.metadata, "SuccessfulDelete", "Deleted pod: \(pod.metadata.name ?? "")") }
        removePods(uids: Set(pods.compactMap(\.metadata.uid)))
    }

    func setJobCondition(_ status: inout JobStatus, _ type: String, _ reason: String?, _ message: String?) {
        var conditions = status.conditions ?? []
        conditions.removeAll { $0.type == type }
        conditions.append(
            WorkloadCondition(
                type: type, status: .true, lastProbeTime: nowTime, lastTransitionTime: nowTime, reason: reason,
                message: message))
        status.conditions = conditions
    }

    /// The action of the first `podFailurePolicy` rule the failed pod matches, with upstream's message.
    func podFailurePolicyAction(_ job: Job, _ pod: Pod) -> (String, String)? {
        guard let rules = job.spec.podFailurePolicy?.rules else { return nil }
        let podName = "\(pod.metadata.namespace ?? ObjectMeta.defaultNamespace)/\(pod.metadata.name ?? "")"
        let podStatus = self.status(of: pod)
        for (index, rule) in rules.enumerated() {
            if let exit = rule.onExitCodes {
                let containers = (podStatus?.initContainerStatuses ?? []) + (podStatus?.containerStatuses ?? [])
                for container in containers {
                    guard exit.containerName == nil || exit.containerName == container.name,
                        let code = container.state?.terminated?.exitCode, code != 0
                    else { continue }
                    let contained = exit.values.contains(code)
                    if exit.operator == "In" ? contained : !contained {
                        return (
                            rule.action,
                            "Container \(container.name) for pod \(podName) failed with exit code \(code) matching \(rule.action) rule at index \(index)"
                        )
                    }
                }
            }
            for pattern in rule.onPodConditions ?? [] {
                let wanted = pattern.status ?? .true
                if podStatus?.conditions?.contains(where: { $0.type == pattern.type && $0.status == wanted }) == true {
                    return (
                        rule.action,
                        "Pod \(podName) has condition \(pattern.type) matching \(rule.action) rule at index \(index)"
                    )
                }
            }
        }
        return nil
    }
}
