import Foundation
import KubeAPI

/// The Job controller: runs pods until `completions` succeed, `parallelism` at a time, retrying
/// failures with upstream's back-off until `backoffLimit`, failing at `activeDeadlineSeconds`,
/// and removing the finished Job and its pods after `ttlSecondsAfterFinished`.
struct JobController {
    static let backoffBase: TimeInterval = 10
    static let backoffCap: TimeInterval = 360

    /// Merges the manifests' Jobs: an edit of an immutable field (template, completions,
    /// completion mode, selector) replaces the Job; the rest updates it.
    func adoptManifests<Random>(_ jobs: [Job], _ pass: inout WorkloadPass<Random>) {
        let owned = pass.state.jobs.filter { $0.metadata.controllerUID != nil }
        let previousStandalone = pass.state.jobs.filter { $0.metadata.controllerUID == nil }
        var merged: [Job] = []
        let keys = Set(jobs.map(\.metadata.key))
        pass.state.expiredJobs = pass.state.expiredJobs.filter { keys.contains($0.key) }
        for job in jobs {
            let key = job.metadata.key
            if let expired = pass.state.expiredJobs[key] {
                if expired == job.spec { continue }
                pass.state.expiredJobs.removeValue(forKey: key)
            }
            var previous = previousStandalone.first { $0.metadata.key == key }
            if let p = previous,
                p.spec.template != job.spec.template || p.spec.completions != job.spec.completions
                    || p.spec.completionMode != job.spec.completionMode || p.spec.selector != job.spec.selector
            {
                previous = nil
            }
            merged.append(pass.merge(job, previous: previous))
        }
        pass.state.jobs = owned + merged
    }

    /// A pod deleted before it finished counts as a failure of its Job.
    func noteDeleted<Random>(_ pod: Pod, _ pass: inout WorkloadPass<Random>) {
        guard let uid = pod.metadata.uid, pass.state.countedPods[uid] == nil, !pass.isTerminal(pod),
            let jobUID = pod.controllerUID, let index = pass.state.jobs.firstIndex(where: { $0.metadata.uid == jobUID }),
            !Self.isFinished(pass.state.jobs[index])
        else { return }
        var status = pass.state.jobs[index].status ?? JobStatus()
        status.failed = (status.failed ?? 0) + 1
        pass.state.jobs[index].status = status
        noteFailure(jobUID: jobUID, at: pass.now, &pass.state)
    }

    func noteFailure(jobUID: String, at time: Date, _ state: inout WorkloadState) {
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
    static func backoffDelay(failures: Int) -> TimeInterval {
        guard failures > 0 else { return 0 }
        return min(backoffBase * pow(2, Double(min(failures - 1, 30))), backoffCap)
    }

    /// Syncs the Job at `index`; returns false when the Job was removed (TTL).
    func sync<Random>(at index: Int, _ pass: inout WorkloadPass<Random>) -> Bool {
        var job = pass.state.jobs[index]
        guard let uid = job.metadata.uid else { return true }
        var status = job.status ?? JobStatus()

        if Self.isFinished(job) {
            if let ttl = job.spec.ttlSecondsAfterFinished {
                let finished =
                    status.completionTime?.date ?? Self.condition(job, "Failed")?.lastTransitionTime?.date
                    ?? Self.condition(job, "Complete")?.lastTransitionTime?.date ?? pass.now
                if finished.addingTimeInterval(TimeInterval(ttl)) <= pass.now {
                    pass.state.jobs.remove(at: index)
                    pass.removePods(uids: Set(pass.state.pods(ownedBy: uid).compactMap(\.metadata.uid)))
                    if job.metadata.controllerUID == nil { pass.state.expiredJobs[job.metadata.key] = job.spec }
                    return false
                }
            }
            status.active = 0
            status.ready = 0
            pass.state.jobs[index].status = status
            return true
        }
        if status.startTime == nil && job.spec.suspend != true { status.startTime = pass.nowTime }

        var failJob: (reason: String, message: String)?
        let pods = pass.state.pods(ownedBy: uid)
        for pod in pods {
            guard let podUID = pod.metadata.uid, pass.state.countedPods[podUID] == nil else { continue }
            let phase = pass.status(of: pod)?.phase
            if phase == .succeeded {
                pass.state.countedPods[podUID] = .succeeded
                status.succeeded = (status.succeeded ?? 0) + 1
                pass.state.jobBackoff[uid] = JobBackoffRecord()
            } else if phase == .failed {
                pass.state.countedPods[podUID] = .failed
                switch podFailurePolicyAction(job, pod, pass) {
                case .some(("Ignore", _)):
                    continue
                case .some(("FailJob", let message)):
                    failJob = failJob ?? ("PodFailurePolicy", message)
                default:
                    break
                }
                status.failed = (status.failed ?? 0) + 1
                noteFailure(jobUID: uid, at: finishedAt(pod, pass) ?? pass.now, &pass.state)
            }
        }
        var active = pass.state.pods(ownedBy: uid).filter { !pass.isTerminal($0) }
        let restarts = job.spec.template.spec.restartPolicy == .onFailure ? active.reduce(0) { $0 + pass.restartCount($1) } : 0
        let succeeded = status.succeeded ?? 0

        if failJob == nil, (status.failed ?? 0) + restarts > job.spec.effectiveBackoffLimit {
            failJob = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
        }
        if failJob == nil, let deadline = job.spec.activeDeadlineSeconds, let start = status.startTime?.date,
            start.addingTimeInterval(TimeInterval(deadline)) <= pass.now
        {
            failJob = ("DeadlineExceeded", "Job was active longer than specified deadline")
        }
        let complete =
            job.spec.completions.map { succeeded >= $0 } ?? (succeeded > 0 && active.isEmpty)
        if let failJob {
            deletePods(of: job, active, &pass)
            status.failed = (status.failed ?? 0) + active.count
            active = []
            setCondition(&status, at: pass.nowTime, "Failed", failJob.reason, failJob.message)
            pass.record("Job", job.metadata, failJob.reason, failJob.message, warning: true)
        } else if complete {
            deletePods(of: job, active, &pass)
            active = []
            status.completionTime = pass.nowTime
            setCondition(&status, at: pass.nowTime, "Complete", nil, nil)
            pass.record("Job", job.metadata, "Completed", "Job completed")
        } else if job.spec.suspend == true {
            deletePods(of: job, active, &pass)
            active = []
            status.startTime = nil
            if !(status.conditions ?? []).contains(where: { $0.type == "Suspended" && $0.status == .true }) {
                setCondition(&status, at: pass.nowTime, "Suspended", "JobSuspended", "Job suspended")
                pass.record("Job", job.metadata, "Suspended", "Job suspended")
            }
        } else {
            if let i = status.conditions?.firstIndex(where: { $0.type == "Suspended" && $0.status == .true }) {
                status.conditions![i].status = .false
                status.conditions![i].reason = "JobResumed"
                status.conditions![i].message = "Job resumed"
                status.conditions![i].lastTransitionTime = pass.nowTime
                pass.record("Job", job.metadata, "Resumed", "Job resumed")
            }
            let parallelism = max(job.spec.effectiveParallelism, 0)
            let want =
                job.spec.completions.map { min(parallelism, max($0 - succeeded, 0)) }
                ?? (succeeded > 0 ? active.count : parallelism)
            if active.count > want {
                let extra = Array(pass.deletionOrder(active).prefix(active.count - want))
                deletePods(of: job, extra, &pass)
                active.removeAll { pod in extra.contains { $0.metadata.uid == pod.metadata.uid } }
            } else if active.count < want && backoffElapsed(jobUID: uid, pass) {
                for _ in active.count..<want { active.append(createPod(for: job, &pass)) }
            }
        }
        status.active = active.count
        status.ready = active.filter { pass.isReady($0) }.count
        job.status = status
        pass.state.jobs[index] = job
        return true
    }

    /// Whether the retry back-off after the last failure has passed.
    func backoffElapsed<Random>(jobUID: String, _ pass: WorkloadPass<Random>) -> Bool {
        guard let record = pass.state.jobBackoff[jobUID], let last = record.lastFailureTime else { return true }
        return last.addingTimeInterval(Self.backoffDelay(failures: record.failuresAfterLastSuccess)) <= pass.now
    }

    func finishedAt<Random>(_ pod: Pod, _ pass: WorkloadPass<Random>) -> Date? {
        (pass.status(of: pod)?.containerStatuses ?? []).compactMap { $0.state?.terminated?.finishedAt?.date }.max()
    }

    func createPod<Random>(for job: Job, _ pass: inout WorkloadPass<Random>) -> Pod {
        let uid = job.metadata.uid ?? ""
        let name = job.metadata.name ?? ""
        let owner = OwnerReference(
            apiVersion: "batch/v1", kind: "Job", name: name, uid: uid, controller: true, blockOwnerDeletion: true)
        let pod = pass.makePod(
            template: job.spec.template, namePrefix: name + "-",
            namespace: job.metadata.namespaceOrDefault, owner: owner,
            extraLabels: [
                "controller-uid": uid, "job-name": name,
                "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name,
            ])
        pass.state.pods.append(pod)
        pass.record("Job", job.metadata, "SuccessfulCreate", "Created pod: \(pod.metadata.name ?? "")")
        return pod
    }

    func deletePods<Random>(of job: Job, _ pods: [Pod], _ pass: inout WorkloadPass<Random>) {
        for pod in pods { pass.record("Job", job.metadata, "SuccessfulDelete", "Deleted pod: \(pod.metadata.name ?? "")") }
        pass.removePods(uids: Set(pods.compactMap(\.metadata.uid)))
    }

    func setCondition(_ status: inout JobStatus, at time: KubeTime, _ type: String, _ reason: String?, _ message: String?) {
        var conditions = status.conditions ?? []
        conditions.removeAll { $0.type == type }
        conditions.append(
            WorkloadCondition(
                type: type, status: .true, lastProbeTime: time, lastTransitionTime: time, reason: reason,
                message: message))
        status.conditions = conditions
    }

    /// The action of the first `podFailurePolicy` rule the failed pod matches, with upstream's message.
    func podFailurePolicyAction<Random>(_ job: Job, _ pod: Pod, _ pass: WorkloadPass<Random>) -> (String, String)? {
        guard let rules = job.spec.podFailurePolicy?.rules else { return nil }
        let podName = "\(pod.metadata.namespaceOrDefault)/\(pod.metadata.name ?? "")"
        let podStatus = pass.status(of: pod)
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
