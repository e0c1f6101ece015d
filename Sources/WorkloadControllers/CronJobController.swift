import Foundation
import KubeAPI

/// The CronJob controller: creates the Job `<cronjob>-<minutes since epoch>` at each scheduled
/// time (in `timeZone`), honouring suspend, startingDeadlineSeconds and the concurrency policy,
/// tracks active Jobs and last schedule/success times, and prunes finished Jobs to the history limits.
struct CronJobController {
    static let scheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"

    func sync<Random>(at index: Int, _ pass: inout WorkloadPass<Random>) {
        var cronJob = pass.state.cronJobs[index]
        guard let uid = cronJob.metadata.uid else { return }
        defer { pass.state.cronJobs[index] = cronJob }
        var status = cronJob.status ?? CronJobStatus()
        let children = pass.state.jobs.filter { $0.metadata.controllerUID == uid }

        var active = (status.active ?? []).filter { ref in
            guard let job = children.first(where: { $0.metadata.uid == ref.uid }) else { return false }
            guard JobController.isFinished(job) else { return true }
            let complete = JobController.condition(job, "Complete") != nil
            pass.record("CronJob", cronJob.metadata, "SawCompletedJob",
                "Saw completed job: \(job.metadata.name ?? ""), status: \(complete ? "Complete" : "Failed")")
            return false
        }
        for job in children where !JobController.isFinished(job) && !active.contains(where: { $0.uid == job.metadata.uid }) {
            active.append(reference(job))
        }
        if let success = children.compactMap({ JobController.isFinished($0) ? $0.status?.completionTime : nil }).max(),
            success > (status.lastSuccessfulTime ?? KubeTime(.distantPast))
        {
            status.lastSuccessfulTime = success
        }
        defer {
            status.active = active.isEmpty ? nil : active
            cronJob.status = status
            pruneFinishedJobs(cronJob, &pass)
        }

        let timeZone: TimeZone
        if let name = cronJob.spec.timeZone {
            guard let zone = TimeZone(identifier: name) else {
                recordOnce(cronJob, &pass, "UnknownTimeZone", "invalid timeZone: \"\(name)\"")
                return
            }
            timeZone = zone
        } else {
            timeZone = TimeZone(identifier: "UTC")!
        }
        let schedule: CronSchedule
        do {
            schedule = try CronSchedule(parsing: cronJob.spec.schedule)
        } catch {
            recordOnce(cronJob, &pass, "UnparseableSchedule", "unparseable schedule: \"\(cronJob.spec.schedule)\" : \(error)")
            return
        }
        if cronJob.spec.suspend == true { return }

        var earliest = status.lastScheduleTime?.date ?? cronJob.metadata.creationTimestamp?.date ?? pass.now
        if let deadline = cronJob.spec.startingDeadlineSeconds {
            earliest = max(earliest, pass.now.addingTimeInterval(-TimeInterval(deadline)))
        }
        var scheduled: Date?
        var missed = 0
        var cursor = earliest
        while let next = schedule.next(after: cursor, timeZone: timeZone), next <= pass.now {
            scheduled = next
            missed += 1
            cursor = next
        }
        guard let scheduled else { return }
        if missed > 100 {
            pass.record("CronJob", cronJob.metadata, "TooManyMissedTimes",
                "too many missed start times: \(missed). Set or decrease .spec.startingDeadlineSeconds or check clock skew",
                warning: true)
        }
        if cronJob.spec.concurrencyPolicy == .forbid && !active.isEmpty {
            if pass.state.cronJobSkips[uid] != scheduled {
                pass.state.cronJobSkips[uid] = scheduled
                pass.record("CronJob", cronJob.metadata, "JobAlreadyActive",
                    "Not starting job because prior execution is running and concurrency policy is Forbid")
            }
            return
        }
        pass.state.cronJobSkips.removeValue(forKey: uid)
        if cronJob.spec.concurrencyPolicy == .replace {
            for ref in active {
                guard let jobIndex = pass.state.jobs.firstIndex(where: { $0.metadata.uid == ref.uid }) else { continue }
                let job = pass.state.jobs.remove(at: jobIndex)
                pass.removePods(uids: Set(pass.state.pods(ownedBy: ref.uid ?? "").compactMap(\.metadata.uid)))
                pass.record("CronJob", cronJob.metadata, "SuccessfulDelete", "Deleted job \(job.metadata.name ?? "")")
            }
            active = []
        }
        let namespace = cronJob.metadata.namespaceOrDefault
        let name = "\(cronJob.metadata.name ?? "")-\(Int(scheduled.timeIntervalSince1970) / 60)"
        status.lastScheduleTime = KubeTime(scheduled)
        guard !pass.state.jobs.contains(where: { $0.metadata.namespace == namespace && $0.metadata.name == name }) else {
            return
        }
        var template = cronJob.spec.jobTemplate
        template.spec.applyDefaults()
        var annotations = template.metadata?.annotations ?? [:]
        annotations[Self.scheduledTimestampAnnotation] = Self.rfc3339(scheduled, in: timeZone)
        let job = Job(
            metadata: ObjectMeta(
                name: name, namespace: namespace, uid: pass.newUID(), generation: 1, creationTimestamp: pass.nowTime,
                labels: template.metadata?.labels, annotations: annotations,
                ownerReferences: [
                    OwnerReference(
                        apiVersion: "batch/v1", kind: "CronJob", name: cronJob.metadata.name ?? "", uid: uid,
                        controller: true, blockOwnerDeletion: true)
                ]),
            spec: template.spec)
        pass.state.jobs.append(job)
        active.append(reference(job))
        pass.record("CronJob", cronJob.metadata, "SuccessfulCreate", "Created job \(name)")
    }

    func reference(_ job: Job) -> ObjectReference {
        ObjectReference(
            kind: "Job", namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid,
            apiVersion: "batch/v1")
    }

    /// A warning about the CronJob's spec, once per spec generation.
    func recordOnce<Random>(_ cronJob: CronJob, _ pass: inout WorkloadPass<Random>, _ reason: String, _ message: String) {
        let marker = Date(timeIntervalSince1970: TimeInterval(cronJob.metadata.generation ?? 0))
        guard let uid = cronJob.metadata.uid, pass.state.cronJobSkips[uid + "/" + reason] != marker else { return }
        pass.state.cronJobSkips[uid + "/" + reason] = marker
        pass.record("CronJob", cronJob.metadata, reason, message, warning: true)
    }

    /// Keeps the newest `successfulJobsHistoryLimit` complete and `failedJobsHistoryLimit`
    /// failed Jobs; older ones go with their pods.
    func pruneFinishedJobs<Random>(_ cronJob: CronJob, _ pass: inout WorkloadPass<Random>) {
        let children = pass.state.jobs.filter { $0.metadata.controllerUID == cronJob.metadata.uid && JobController.isFinished($0) }
        func start(_ job: Job) -> Date { job.status?.startTime?.date ?? job.metadata.creationTimestamp?.date ?? .distantPast }
        for (complete, limit) in [(true, cronJob.spec.successfulHistoryLimit), (false, cronJob.spec.failedHistoryLimit)] {
            let finished = children.filter { (JobController.condition($0, "Complete") != nil) == complete }
                .sorted { (start($0), $0.metadata.name ?? "") < (start($1), $1.metadata.name ?? "") }
            guard finished.count > max(limit, 0) else { continue }
            for job in finished.prefix(finished.count - max(limit, 0)) {
                pass.state.jobs.removeAll { $0.metadata.uid == job.metadata.uid }
                pass.removePods(uids: Set(pass.state.pods(ownedBy: job.metadata.uid ?? "").compactMap(\.metadata.uid)))
                pass.record("CronJob", cronJob.metadata, "SuccessfulDelete", "Deleted job \(job.metadata.name ?? "")")
            }
        }
    }

    /// RFC 3339 with the zone's offset, as upstream writes the scheduled-timestamp annotation.
    static func rfc3339(_ date: Date, in timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssXXXXX"
        return formatter.string(from: date)
    }
}
