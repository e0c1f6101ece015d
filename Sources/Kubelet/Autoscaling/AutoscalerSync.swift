import APIStore
import Foundation
import KubeAPI
import KubeAPIServer
import Logging

/// The HPA controller's edge, run each time the resource metrics are sampled (upstream's
/// 15 s sync period): reads the HPAs and their targets from the API store, hands the
/// target's pods with their samples to `AutoscalerController`, and writes the target's
/// `spec.replicas`, the HPA's status and its events back.
final class AutoscalerSync {
    let store: ResourceStore
    let logger: Logger
    private var controller = AutoscalerController()
    private var reported: Set<String> = []

    static let resource = "horizontalpodautoscalers.autoscaling"

    init(store: ResourceStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func sync(pods: [Pod], metrics: ResourceMetricsSnapshot, now: Date) {
        let usage = Dictionary(metrics.pods.map { ("\($0.namespace)/\($0.name)", $0) }, uniquingKeysWith: { a, _ in a })
        var keys: Set<String> = []
        for hpa in store.list(resource: Self.resource).items {
            guard let name = hpa[path: ["metadata", "name"]]?.string else { continue }
            let namespace = hpa[path: ["metadata", "namespace"]]?.string ?? "default"
            let key = namespace + "/" + name
            keys.insert(key)
            let spec: AutoscalerSpec
            do {
                spec = try AutoscalerSpec(hpa)
            } catch {
                if reported.insert(key + "\(error)").inserted { logger.error("\(error)") }
                continue
            }
            guard let type = ["Deployment", "ReplicaSet"].contains(spec.targetKind) ? ResourceTypes.find(kind: spec.targetKind) : nil else {
                fail(namespace, name, reason: "FailedGetScale", message: "the HPA controller was unable to get the target's current scale: \(spec.targetKind) has no scale subresource", now: now)
                continue
            }
            let targetKey = StoreKey(type, namespace: namespace, name: spec.targetName)
            guard let target = store.get(targetKey) else {
                fail(namespace, name, reason: "FailedGetScale",
                     message: "the HPA controller was unable to get the target's current scale: \(type.qualifiedName) \"\(spec.targetName)\" not found", now: now)
                continue
            }
            let current = Int(target[path: ["spec", "replicas"]]?.int ?? 1)
            let selector = (target[path: ["spec", "selector"]]).flatMap { try? JSONDecoder().decode(LabelSelector.self, from: $0.data()) }
            let targetPods = pods.filter { pod in
                (pod.metadata.namespace ?? "default") == namespace && (selector?.matches(pod.metadata.labels) ?? false)
            }
            let samples = targetPods.map { Self.autoscalerPod($0, usage: usage["\(namespace)/\($0.metadata.name ?? "")"]) }
            let decision = controller.reconcile(key: key, spec: spec, currentReplicas: current, pods: samples, now: now)
            var conditions = decision.conditions
            if decision.rescale {
                do {
                    try store.write(targetKey) { object in
                        guard var object else { return nil }
                        object[path: ["spec", "replicas"]] = .int(Int64(decision.desiredReplicas))
                        object[path: ["metadata", "generation"]] = .int((object[path: ["metadata", "generation"]]?.int ?? 1) + 1)
                        return object
                    }
                } catch {
                    conditions[0] = ("AbleToScale", .init(status: false, reason: "FailedUpdateScale", message: "the HPA controller was unable to update the target scale: \(error)"))
                }
            }
            for event in decision.events { AutoscalerEvents.record(store, namespace: namespace, hpa: name, uid: hpa[path: ["metadata", "uid"]]?.string, event, now: now) }
            let replicas = Int(target[path: ["status", "replicas"]]?.int ?? Int64(targetPods.count))
            writeStatus(namespace, name, now: now) { status in
                status["currentReplicas"] = .int(Int64(replicas))
                status["desiredReplicas"] = .int(Int64(decision.desiredReplicas))
                status["currentMetrics"] = decision.currentMetrics.isEmpty ? nil : .array(decision.currentMetrics)
                if decision.rescale { status["lastScaleTime"] = .string(KubeTime(now).description) }
                status["conditions"] = Self.conditions(conditions, old: status["conditions"], now: now)
            }
        }
        controller.keep(keys)
    }

    private func fail(_ namespace: String, _ name: String, reason: String, message: String, now: Date) {
        AutoscalerEvents.record(store, namespace: namespace, hpa: name, uid: nil, ("Warning", reason, message), now: now)
        writeStatus(namespace, name, now: now) { status in
            status["conditions"] = Self.conditions([("AbleToScale", .init(status: false, reason: reason, message: message))], old: status["conditions"], now: now)
        }
    }

    private func writeStatus(_ namespace: String, _ name: String, now: Date, _ change: (inout [String: JSONValue]) -> Void) {
        do {
            try store.write(StoreKey(resource: Self.resource, namespace: namespace, name: name)) { hpa in
                guard var hpa else { return nil }
                var status = hpa["status"]?.objectValue ?? [:]
                change(&status)
                status["observedGeneration"] = hpa[path: ["metadata", "generation"]]
                hpa["status"] = .object(status)
                return hpa
            }
        } catch {
            logger.error("HorizontalPodAutoscaler \(namespace)/\(name): status: \(error)")
        }
    }

    /// Conditions keep their lastTransitionTime while their status stays.
    static func conditions(_ conditions: [(type: String, condition: ScalingBehavior.Condition)], old: JSONValue?, now: Date) -> JSONValue {
        let previous = Dictionary((old?.arrayValue ?? []).compactMap { item in item["type"]?.string.map { ($0, item) } }, uniquingKeysWith: { a, _ in a })
        return .array(conditions.map { type, condition in
            let status = condition.status ? "True" : "False"
            let since = previous[type].flatMap { $0["status"]?.string == status ? $0["lastTransitionTime"] : nil } ?? .string(KubeTime(now).description)
            return ["type": .string(type), "status": .string(status), "lastTransitionTime": since,
                    "reason": .string(condition.reason), "message": .string(condition.message)]
        })
    }

    /// A pod, its requests summed over containers (absent when a container requests none),
    /// and its sample, in milli-units.
    static func autoscalerPod(_ pod: Pod, usage: PodUsage?) -> AutoscalerPod {
        var requests: [String: Int64] = [:]
        for resource in ["cpu", "memory"] {
            var total: Int64 = 0
            var all = true
            for container in pod.spec.containers {
                guard let quantity = container.resources?.requests?[resource] else { all = false; break }
                total += quantity.milliValue
            }
            if all, !pod.spec.containers.isEmpty { requests[resource] = total }
        }
        let ready = pod.status?.conditions?.first { $0.type == "Ready" }
        var sample = AutoscalerPod(
            name: pod.metadata.name ?? "", phase: pod.status?.phase?.rawValue ?? "Pending", deleting: pod.metadata.deletionTimestamp != nil,
            startTime: pod.status?.startTime?.date, ready: ready.map { ($0.status == .true, $0.lastTransitionTime?.date) }, requests: requests)
        if let usage {
            sample.usage = ["cpu": usage.cpuNanocores / 1_000_000, "memory": usage.memoryBytes * 1000]
            sample.sampledAt = usage.timestamp
            sample.window = usage.window
        }
        return sample
    }
}
