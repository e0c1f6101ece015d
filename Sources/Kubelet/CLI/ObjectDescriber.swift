import Foundation
import KubeAPI
import KubePrinting
import WorkloadControllers

/// `swiftlet describe <kind> NAME` for every kind but pods, in kubectl's layout: identity,
/// the kind's own fields, the pod template, conditions, and the object's events.
public enum ObjectDescriber {
    public static func describe(
        _ object: KubeObject, events: [PodEvent], replicaSets: [KubeObject] = [], pods: [Pod] = [], now: Date = Date()
    ) -> String {
        var out: [String] = []
        func line(_ key: String, _ value: String) {
            out.append((key + ":").padding(toLength: max(key.count + 2, 24), withPad: " ", startingAt: 0) + value)
        }
        let meta = object.metadata
        line("Name", object.name)
        if object.isNamespaced { line("Namespace", meta.namespaceOrDefault) }
        if let created = meta.creationTimestamp { line("CreationTimestamp", PodDescriber.date(created.date)) }
        line("Labels", multi(meta.labels, separator: "="))
        line("Annotations", multi(meta.annotations, separator: ": "))
        switch object {
        case .deployment(let d):
            let s = d.status ?? DeploymentStatus()
            line("Selector", ObjectPrinter.selectorText(d.spec.selector))
            line("Replicas", "\(d.spec.desiredReplicas) desired | \(s.updatedReplicas ?? 0) updated | \(s.replicas ?? 0) total | \(s.availableReplicas ?? 0) available | \(s.unavailableReplicas ?? 0) unavailable")
            let strategy = d.spec.strategy?.type?.rawValue ?? "RollingUpdate"
            line("StrategyType", strategy)
            line("MinReadySeconds", "\(d.spec.minReadySeconds ?? 0)")
            if strategy == "RollingUpdate" {
                let rolling = d.spec.strategy?.rollingUpdate
                line("RollingUpdateStrategy", "\(rolling?.maxUnavailable?.description ?? "25%") max unavailable, \(rolling?.maxSurge?.description ?? "25%") max surge")
            }
            out.append(RolloutHistory.describe(d.spec.template, changeCause: nil).trimmingCharacters(in: .newlines))
            conditions(s.conditions, into: &out)
            let owned = replicaSets.compactMap { object -> ReplicaSet? in
                guard case .replicaSet(let rs) = object, rs.metadata.ownerReferences?.contains(where: { $0.uid == d.metadata.uid }) == true else { return nil }
                return rs
            }
            let revision = d.metadata.annotations?[DeploymentAnnotation.revision]
            let new = owned.first { $0.metadata.annotations?[DeploymentAnnotation.revision] == revision }
            let old = owned.filter { $0.metadata.uid != new?.metadata.uid && ($0.spec.replicas ?? 0) > 0 }
            line("OldReplicaSets", old.isEmpty ? "<none>" : old.map(rsSummary).joined(separator: ", "))
            line("NewReplicaSet", new.map(rsSummary) ?? "<none>")
        case .replicaSet(let rs):
            line("Selector", ObjectPrinter.selectorText(rs.spec.selector))
            if let owner = rs.metadata.ownerReferences?.first(where: { $0.controller == true }) {
                line("Controlled By", "\(owner.kind)/\(owner.name)")
            }
            line("Replicas", "\(rs.status?.replicas ?? 0) current / \(rs.spec.desiredReplicas) desired")
            line("Pods Status", podsStatus(pods.filter { owns(rs.metadata, $0) }))
            if let template = rs.spec.template { out.append(RolloutHistory.describe(template, changeCause: nil).trimmingCharacters(in: .newlines)) }
        case .daemonSet(let ds):
            let s = ds.status
            line("Selector", ObjectPrinter.selectorText(ds.spec.selector))
            line("Desired Number of Nodes Scheduled", "\(s?.desiredNumberScheduled ?? 0)")
            line("Current Number of Nodes Scheduled", "\(s?.currentNumberScheduled ?? 0)")
            line("Number of Nodes Scheduled with Up-to-date Pods", "\(s?.updatedNumberScheduled ?? 0)")
            line("Number of Nodes Scheduled with Available Pods", "\(s?.numberAvailable ?? 0)")
            line("Pods Status", podsStatus(pods.filter { owns(ds.metadata, $0) }))
            out.append(RolloutHistory.describe(ds.spec.template, changeCause: nil).trimmingCharacters(in: .newlines))
        case .job(let job):
            let s = job.status
            line("Selector", ObjectPrinter.selectorText(job.spec.selector))
            if let owner = job.metadata.ownerReferences?.first(where: { $0.controller == true }) {
                line("Controlled By", "\(owner.kind)/\(owner.name)")
            }
            line("Parallelism", "\(job.spec.effectiveParallelism)")
            line("Completions", job.spec.completions.map(String.init) ?? "<unset>")
            line("Completion Mode", job.spec.completionMode ?? "NonIndexed")
            line("Suspend", "\(job.spec.suspend ?? false)")
            line("Backoff Limit", "\(job.spec.effectiveBackoffLimit)")
            if let deadline = job.spec.activeDeadlineSeconds { line("Active Deadline Seconds", "\(deadline)s") }
            if let ttl = job.spec.ttlSecondsAfterFinished { line("TTL Seconds After Finished", "\(ttl)") }
            if let start = s?.startTime { line("Start Time", PodDescriber.date(start.date)) }
            if let end = s?.completionTime { line("Completed At", PodDescriber.date(end.date)) }
            if s?.startTime != nil { line("Duration", ObjectPrinter.duration(job, now: now)) }
            line("Pods Statuses", "\(s?.active ?? 0) Active (\(s?.ready ?? 0) Ready) / \(s?.succeeded ?? 0) Succeeded / \(s?.failed ?? 0) Failed")
            out.append(RolloutHistory.describe(job.spec.template, changeCause: nil).trimmingCharacters(in: .newlines))
            conditions(s?.conditions, into: &out)
        case .cronJob(let cj):
            line("Schedule", cj.spec.schedule)
            if let zone = cj.spec.timeZone { line("Time Zone", zone) }
            line("Concurrency Policy", cj.spec.concurrencyPolicy?.rawValue ?? "Allow")
            line("Suspend", cj.spec.suspend.map { $0 ? "True" : "False" } ?? "False")
            line("Successful Job History Limit", "\(cj.spec.successfulHistoryLimit)")
            line("Failed Job History Limit", "\(cj.spec.failedHistoryLimit)")
            line("Starting Deadline Seconds", cj.spec.startingDeadlineSeconds.map { "\($0)s" } ?? "<unset>")
            line("Last Schedule Time", cj.status?.lastScheduleTime.map { PodDescriber.date($0.date) } ?? "<unset>")
            let active = (cj.status?.active ?? []).compactMap(\.name)
            line("Active Jobs", active.isEmpty ? "<none>" : active.joined(separator: ", "))
            out.append(RolloutHistory.describe(cj.spec.jobTemplate.spec.template, changeCause: nil).trimmingCharacters(in: .newlines))
        case .configMap(let cm):
            out.append("")
            out.append("Data")
            out.append("====")
            for (key, value) in (cm.data ?? [:]).sorted(by: { $0.key < $1.key }) {
                out.append(key + ":")
                out.append("----")
                out.append(value)
                out.append("")
            }
            out.append("")
            out.append("BinaryData")
            out.append("====")
            for (key, value) in (cm.binaryData ?? [:]).sorted(by: { $0.key < $1.key }) { out.append("\(key): \(value.count) bytes") }
        case .secret(let secret):
            out.append("")
            line("Type", secret.type ?? "Opaque")
            out.append("")
            out.append("Data")
            out.append("====")
            // As kubectl, sizes only: a describe never shows a secret's bytes.
            for (key, value) in (secret.data ?? [:]).sorted(by: { $0.key < $1.key }) { out.append("\(key):  \(value.count) bytes") }
        case .namespace(let ns):
            line("Status", ns.status?.phase ?? "Active")
            out.append("")
            out.append("No resource quota.")
            out.append("")
            out.append("No LimitRange resource.")
        case .service(let svc):
            line("Selector", (svc.spec.selector ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
            line("Type", svc.spec.type?.rawValue ?? "ClusterIP")
            line("IP", svc.spec.clusterIP ?? "<none>")
            for port in svc.spec.ports ?? [] {
                line("Port", "\(port.name ?? "<unset>")  \(port.port)/\(port.protocol?.rawValue ?? "TCP")")
                line("TargetPort", "\(port.targetPort?.description ?? "\(port.port)")/\(port.protocol?.rawValue ?? "TCP")")
            }
            line("Session Affinity", svc.spec.sessionAffinity?.rawValue ?? "None")
        case .endpoints(let ep):
            out.append("Subsets:")
            for subset in ep.subsets ?? [] {
                out.append("  Addresses:          " + ((subset.addresses ?? []).map(\.ip).joined(separator: ",")))
                out.append("  NotReadyAddresses:  " + ((subset.notReadyAddresses ?? []).map(\.ip).joined(separator: ",")))
                out.append("  Ports:")
                for port in subset.ports ?? [] { out.append("    \(port.name ?? "<unset>")  \(port.port)") }
            }
        default:
            break
        }
        out.append(EventsTable.text(events, from: "swiftlet-controllers", noneColumn: 24, now: now))
        return out.joined(separator: "\n") + "\n"
    }

    static func owns(_ owner: ObjectMeta, _ pod: Pod) -> Bool {
        pod.metadata.ownerReferences?.contains { $0.uid == owner.uid && $0.controller == true } ?? false
    }

    static func podsStatus(_ pods: [Pod]) -> String {
        func count(_ phase: PodPhase) -> Int { pods.filter { ($0.status?.phase ?? .pending) == phase }.count }
        return "\(count(.running)) Running / \(count(.pending)) Waiting / \(count(.succeeded)) Succeeded / \(count(.failed)) Failed"
    }

    static func rsSummary(_ rs: ReplicaSet) -> String {
        "\(rs.metadata.name ?? "") (\(rs.status?.replicas ?? 0)/\(rs.spec.replicas ?? 0) replicas created)"
    }

    static func multi(_ values: [String: String]?, separator: String) -> String {
        guard let values, !values.isEmpty else { return "<none>" }
        return values.sorted { $0.key < $1.key }.map { $0.key + separator + $0.value }
            .joined(separator: "\n" + String(repeating: " ", count: 24))
    }

    static func conditions(_ conditions: [WorkloadCondition]?, into out: inout [String]) {
        guard let conditions, !conditions.isEmpty else { return }
        out.append("Conditions:")
        var rows = [["  Type", "Status", "Reason"], ["  ----", "------", "------"]]
        for condition in conditions { rows.append(["  " + condition.type, condition.status.rawValue, condition.reason ?? ""]) }
        out.append(TablePrinter.render(rows).trimmingCharacters(in: .newlines))
    }

}
