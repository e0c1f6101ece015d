import APIStore
import Foundation

/// The HorizontalPodAutoscaler controller's decisions, as upstream's `reconcileAutoscaler`
/// makes them, without I/O: given an HPA, its target's replicas and the target's pods with
/// their samples, it says the replicas to scale to, the status and the events. It keeps
/// each HPA's recent recommendations and scale events for stabilization and rate limits.
struct AutoscalerController {
    struct Decision {
        var desiredReplicas: Int
        var rescale: Bool
        /// `status.currentMetrics`.
        var currentMetrics: [JSONValue]
        /// type → condition, in upstream's order AbleToScale, ScalingActive, ScalingLimited.
        var conditions: [(type: String, condition: ScalingBehavior.Condition)]
        var events: [(type: String, reason: String, message: String)]
    }

    private(set) var histories: [String: ScalingHistory] = [:]

    /// Forgets HPAs no longer there.
    mutating func keep(_ keys: Set<String>) {
        histories = histories.filter { keys.contains($0.key) }
    }

    mutating func reconcile(key: String, spec: AutoscalerSpec, currentReplicas: Int, pods: [AutoscalerPod], now: Date) -> Decision {
        var decision = Decision(desiredReplicas: currentReplicas, rescale: false, currentMetrics: [], conditions: [], events: [])
        var able = ScalingBehavior.Condition(status: true, reason: "ReadyForNewScale", message: "recommended size matches current size")
        var active: ScalingBehavior.Condition?
        var limited: ScalingBehavior.Condition?
        var reason = ""
        var desired = currentReplicas
        if currentReplicas == 0 && spec.minReplicas != 0 {
            active = .init(status: false, reason: "ScalingDisabled", message: "scaling is disabled since the replica count of the target is zero")
        } else if currentReplicas > spec.maxReplicas {
            reason = "Current number of replicas above Spec.MaxReplicas"
            desired = spec.maxReplicas
        } else if currentReplicas < spec.minReplicas {
            reason = "Current number of replicas below Spec.MinReplicas"
            desired = spec.minReplicas
        } else {
            var best = 0
            var bestName = ""
            var failures: [String] = []
            var failureReason = ""
            for metric in spec.metrics {
                let name: String
                switch metric.target {
                case .utilization: name = "\(metric.resource) resource utilization (percentage of request)"
                case .averageValue: name = "\(metric.resource) resource"
                }
                do {
                    let proposal = try ReplicaCalculator.propose(resource: metric.resource, target: metric.target, currentReplicas: currentReplicas, pods: pods, now: now)
                    decision.currentMetrics.append(Self.status(metric, proposal))
                    if proposal.replicas > best || bestName.isEmpty { best = proposal.replicas; bestName = name }
                } catch {
                    let failure = error as? ReplicaCalculator.Failure
                    let message = "failed to get \(metric.resource) utilization: \(failure?.message ?? "\(error)")"
                    if failures.isEmpty { failureReason = failure?.reason ?? "FailedGetResourceMetric" }
                    failures.append(message)
                    // Upstream leaves an empty MetricStatus for a metric it could not read.
                    decision.currentMetrics.append(["type": ""])
                    decision.events.append(("Warning", failure?.reason ?? "FailedGetResourceMetric", message))
                }
            }
            // All metrics invalid, or some invalid and the rest would scale down: no scaling,
            // the first failure's condition (upstream's computeReplicasForMetrics).
            if let first = failures.first, failures.count == spec.metrics.count || best < currentReplicas {
                active = .init(status: false, reason: failureReason, message: "the HPA was unable to compute the replica count: " + first)
                decision.events.append(("Warning", "FailedComputeMetricsReplicas",
                    "invalid metrics (\(failures.count) invalid out of \(spec.metrics.count)), first error is: \(first)"))
                decision.conditions = [("AbleToScale", able), ("ScalingActive", active ?? able)]
                return decision
            }
            active = .init(status: true, reason: "ValidMetricFound", message: "the HPA was able to successfully calculate a replica count from \(bestName)")
            if best > currentReplicas { reason = "\(bestName) above target" }
            if best < currentReplicas { reason = "All metrics below target" }
            var history = histories[key] ?? ScalingHistory()
            let normalized = ScalingBehavior.normalize(spec, current: currentReplicas, proposed: best, history: &history, now: now)
            histories[key] = history
            desired = normalized.replicas
            able = normalized.ableToScale
            limited = normalized.scalingLimited
        }
        decision.desiredReplicas = desired
        decision.rescale = desired != currentReplicas
        if decision.rescale {
            able = .init(status: true, reason: "SucceededRescale", message: "the HPA controller was able to update the target scale to \(desired)")
            decision.events.append(("Normal", "SuccessfulRescale", "New size: \(desired); reason: \(reason)"))
            var history = histories[key] ?? ScalingHistory()
            ScalingBehavior.recordScale(spec, from: currentReplicas, to: desired, history: &history, now: now)
            histories[key] = history
        }
        decision.conditions = [("AbleToScale", able)]
        if let active { decision.conditions.append(("ScalingActive", active)) }
        if let limited { decision.conditions.append(("ScalingLimited", limited)) }
        return decision
    }

    /// A `MetricStatus` for a resource metric.
    static func status(_ metric: AutoscalerSpec.ResourceMetric, _ proposal: ReplicaCalculator.Proposal) -> JSONValue {
        var current: [String: JSONValue] = ["averageValue": .string(Self.milliQuantity(proposal.averageValue))]
        if let utilization = proposal.utilization { current["averageUtilization"] = .int(utilization) }
        return ["type": "Resource", "resource": ["name": .string(metric.resource), "current": .object(current)]]
    }

    /// A milli-unit count as a quantity: `250m`, `3`, `12345678`.
    static func milliQuantity(_ milli: Int64) -> String {
        milli % 1000 == 0 ? "\(milli / 1000)" : "\(milli)m"
    }
}
