import Foundation
import KubeAPI

/// `swiftlet get <kind>` for every kind but pods, with kubectl's columns (its
/// `printers/internalversion` handlers): workloads, ConfigMaps, Secrets, Namespaces,
/// Services and Endpoints.
public enum ObjectPrinter {
    /// The kinds `get` knows, by every name kubectl accepts for them → the kind.
    public static let resourceNames: [String: String] = [
        "deployments": "Deployment", "deployment": "Deployment", "deploy": "Deployment",
        "replicasets": "ReplicaSet", "replicaset": "ReplicaSet", "rs": "ReplicaSet",
        "daemonsets": "DaemonSet", "daemonset": "DaemonSet", "ds": "DaemonSet",
        "jobs": "Job", "job": "Job",
        "cronjobs": "CronJob", "cronjob": "CronJob", "cj": "CronJob",
        "configmaps": "ConfigMap", "configmap": "ConfigMap", "cm": "ConfigMap",
        "secrets": "Secret", "secret": "Secret",
        "namespaces": "Namespace", "namespace": "Namespace", "ns": "Namespace",
        "services": "Service", "service": "Service", "svc": "Service",
        "endpoints": "Endpoints", "ep": "Endpoints",
    ]

    /// `kubectl get all`'s name prefix for a kind (`deployment.apps`).
    public static func qualifiedName(_ kind: String) -> String {
        switch kind {
        case "Deployment", "ReplicaSet", "DaemonSet": return kind.lowercased() + ".apps"
        case "Job", "CronJob": return kind.lowercased() + ".batch"
        default: return kind.lowercased()
        }
    }

    /// The table for objects of one kind. `qualifyNames` prefixes names as `get all` does.
    public static func table(
        kind: String, _ objects: [KubeObject], wide: Bool, withNamespace: Bool, qualifyNames: Bool = false,
        now: Date = Date()
    ) -> String {
        var header = ["NAME"] + columns(kind)
        if wide { header += wideColumns(kind) }
        let namespaced = kind != "Namespace"
        if withNamespace && namespaced { header.insert("NAMESPACE", at: 0) }
        var rows = [header]
        for object in objects {
            let name = qualifyNames ? qualifiedName(kind) + "/" + object.name : object.name
            var cells = [name] + self.cells(object, now: now)
            if wide { cells += wideCells(object) }
            if withNamespace && namespaced { cells.insert(object.metadata.namespaceOrDefault, at: 0) }
            rows.append(cells)
        }
        return TablePrinter.render(rows)
    }

    public static func columns(_ kind: String) -> [String] {
        switch kind {
        case "Deployment": return ["READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
        case "ReplicaSet": return ["DESIRED", "CURRENT", "READY", "AGE"]
        case "DaemonSet": return ["DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"]
        case "Job": return ["STATUS", "COMPLETIONS", "DURATION", "AGE"]
        case "CronJob": return ["SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]
        case "ConfigMap": return ["DATA", "AGE"]
        case "Secret": return ["TYPE", "DATA", "AGE"]
        case "Namespace": return ["STATUS", "AGE"]
        case "Service": return ["TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
        case "Endpoints": return ["ENDPOINTS", "AGE"]
        default: return ["AGE"]
        }
    }

    public static func wideColumns(_ kind: String) -> [String] {
        switch kind {
        case "Deployment", "ReplicaSet", "DaemonSet", "Job", "CronJob": return ["CONTAINERS", "IMAGES", "SELECTOR"]
        case "Service": return ["SELECTOR"]
        default: return []
        }
    }

    static func age(_ time: KubeTime?, now: Date) -> String {
        guard let date = time?.date else { return "<unknown>" }
        return HumanDuration.format(now.timeIntervalSince(date))
    }

    public static func cells(_ object: KubeObject, now: Date) -> [String] {
        let age = age(object.metadata.creationTimestamp, now: now)
        switch object {
        case .deployment(let d):
            let s = d.status ?? DeploymentStatus()
            return ["\(s.readyReplicas ?? 0)/\(d.spec.desiredReplicas)", "\(s.updatedReplicas ?? 0)", "\(s.availableReplicas ?? 0)", age]
        case .replicaSet(let rs):
            let s = rs.status
            return ["\(rs.spec.desiredReplicas)", "\(s?.replicas ?? 0)", "\(s?.readyReplicas ?? 0)", age]
        case .daemonSet(let ds):
            let s = ds.status
            let selector = (ds.spec.template.spec.nodeSelector ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return [
                "\(s?.desiredNumberScheduled ?? 0)", "\(s?.currentNumberScheduled ?? 0)", "\(s?.numberReady ?? 0)",
                "\(s?.updatedNumberScheduled ?? 0)", "\(s?.numberAvailable ?? 0)",
                selector.isEmpty ? "<none>" : selector.joined(separator: ","), age,
            ]
        case .job(let job):
            return [jobStatus(job), completions(job), duration(job, now: now), age]
        case .cronJob(let cj):
            let last = cj.status?.lastScheduleTime.map { HumanDuration.format(now.timeIntervalSince($0.date)) } ?? "<none>"
            return [
                cj.spec.schedule, cj.spec.timeZone ?? "<none>", "\(cj.spec.suspend ?? false)",
                "\(cj.status?.active?.count ?? 0)", last, age,
            ]
        case .configMap(let cm):
            return ["\((cm.data ?? [:]).count + (cm.binaryData ?? [:]).count)", age]
        case .secret(let secret):
            let keys = Set((secret.data ?? [:]).keys).union((secret.stringData ?? [:]).keys)
            return [secret.type ?? "Opaque", "\(keys.count)", age]
        case .namespace(let ns):
            return [ns.status?.phase ?? "Active", age]
        case .service(let svc):
            return [svc.spec.type?.rawValue ?? "ClusterIP", svc.spec.clusterIP ?? "<none>", externalIP(svc), ports(svc), age]
        case .endpoints(let ep):
            return [endpoints(ep), age]
        default:
            return [age]
        }
    }

    public static func wideCells(_ object: KubeObject) -> [String] {
        switch object {
        case .deployment(let d): return templateCells(d.spec.template, d.spec.selector)
        case .replicaSet(let rs): return templateCells(rs.spec.template, rs.spec.selector)
        case .daemonSet(let ds): return templateCells(ds.spec.template, ds.spec.selector)
        case .job(let job): return templateCells(job.spec.template, job.spec.selector)
        case .cronJob(let cj): return templateCells(cj.spec.jobTemplate.spec.template, cj.spec.jobTemplate.spec.selector)
        case .service(let svc):
            let pairs = (svc.spec.selector ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return [pairs.isEmpty ? "<none>" : pairs.joined(separator: ",")]
        default: return []
        }
    }

    static func templateCells(_ template: PodTemplateSpec?, _ selector: LabelSelector?) -> [String] {
        let containers = template?.spec.containers ?? []
        return [
            containers.map(\.name).joined(separator: ","), containers.map { $0.image ?? "" }.joined(separator: ","),
            selectorText(selector),
        ]
    }

    /// A label selector as kubectl prints it (`app=web,tier in (a,b)`).
    public static func selectorText(_ selector: LabelSelector?) -> String {
        guard let selector, !selector.isEmpty else { return "<none>" }
        var parts = (selector.matchLabels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        for requirement in selector.matchExpressions ?? [] {
            let values = (requirement.values ?? []).sorted().joined(separator: ",")
            switch requirement.operator.rawValue {
            case "In": parts.append("\(requirement.key) in (\(values))")
            case "NotIn": parts.append("\(requirement.key) notin (\(values))")
            case "Exists": parts.append(requirement.key)
            case "DoesNotExist": parts.append("!" + requirement.key)
            default: parts.append("\(requirement.key) \(requirement.operator.rawValue) (\(values))")
            }
        }
        return parts.joined(separator: ",")
    }

    /// kubectl's job STATUS column.
    static func jobStatus(_ job: Job) -> String {
        let conditions = job.status?.conditions ?? []
        func has(_ type: String) -> Bool { conditions.contains { $0.type == type && $0.status == .true } }
        if has("Failed") { return "Failed" }
        if has("Complete") { return "Complete" }
        if has("Suspended") { return "Suspended" }
        if has("FailureTarget") { return "FailureTarget" }
        if has("SuccessCriteriaMet") { return "SuccessCriteriaMet" }
        return "Running"
    }

    static func completions(_ job: Job) -> String {
        let succeeded = job.status?.succeeded ?? 0
        if let completions = job.spec.completions { return "\(succeeded)/\(completions)" }
        let parallelism = job.spec.effectiveParallelism
        return parallelism > 1 ? "\(succeeded)/1 of \(parallelism)" : "\(succeeded)/1"
    }

    public static func duration(_ job: Job, now: Date) -> String {
        guard let start = job.status?.startTime?.date else { return "" }
        let end = job.status?.completionTime?.date ?? now
        return HumanDuration.format(end.timeIntervalSince(start))
    }

    static func externalIP(_ svc: Service) -> String {
        let type = svc.spec.type?.rawValue ?? "ClusterIP"
        let external = svc.spec.externalIPs ?? []
        switch type {
        case "ExternalName": return svc.spec.externalName ?? "<none>"
        case "LoadBalancer":
            let ingress = (svc.status?.loadBalancer?.ingress ?? []).compactMap { $0.ip ?? $0.hostname }
            let all = ingress + external
            return all.isEmpty ? "<pending>" : all.joined(separator: ",")
        default:
            return external.isEmpty ? "<none>" : external.joined(separator: ",")
        }
    }

    static func ports(_ svc: Service) -> String {
        let ports = (svc.spec.ports ?? []).map { port -> String in
            let proto = port.protocol?.rawValue ?? "TCP"
            if let node = port.nodePort, node > 0 { return "\(port.port):\(node)/\(proto)" }
            return "\(port.port)/\(proto)"
        }
        return ports.isEmpty ? "<none>" : ports.joined(separator: ",")
    }

    /// kubectl's `formatEndpoints`: up to three `ip:port`, then `+ N more...`.
    static func endpoints(_ ep: Endpoints) -> String {
        var all: [String] = []
        for subset in ep.subsets ?? [] {
            for address in subset.addresses ?? [] {
                let ports = subset.ports ?? []
                if ports.isEmpty { all.append(address.ip) }
                for port in ports { all.append("\(address.ip):\(port.port)") }
            }
        }
        if all.isEmpty { return "<none>" }
        let shown = all.prefix(3).joined(separator: ",")
        return all.count > 3 ? shown + " + \(all.count - 3) more..." : shown
    }
}
