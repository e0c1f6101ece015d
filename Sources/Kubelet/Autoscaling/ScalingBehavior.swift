import Foundation

/// What one HPA has recommended and done lately: the stabilization windows look back over
/// its recommendations, the rate policies over its scale events.
struct ScalingHistory: Equatable {
    var recommendations: [(replicas: Int, at: Date)] = []
    var scaleUps: [(count: Int, at: Date)] = []
    var scaleDowns: [(count: Int, at: Date)] = []

    static func == (lhs: ScalingHistory, rhs: ScalingHistory) -> Bool {
        lhs.recommendations.map(\.replicas) == rhs.recommendations.map(\.replicas) && lhs.recommendations.map(\.at) == rhs.recommendations.map(\.at)
            && lhs.scaleUps.map(\.count) == rhs.scaleUps.map(\.count) && lhs.scaleDowns.map(\.count) == rhs.scaleDowns.map(\.count)
    }
}

/// Upstream's normalization of a proposed replica count: stabilization (the lowest
/// recommendation of the scale-up window, the highest of the scale-down window), then the
/// scaling policies' rate limits and min/max, each with the condition it sets.
enum ScalingBehavior {
    struct Condition: Equatable {
        var status: Bool
        var reason: String
        var message: String
    }

    struct Normalized: Equatable {
        var replicas: Int
        var ableToScale: Condition
        var scalingLimited: Condition
    }

    static let legacyDownscaleWindow: TimeInterval = 300

    static func normalize(_ spec: AutoscalerSpec, current: Int, proposed: Int, history: inout ScalingHistory, now: Date) -> Normalized {
        let stabilized: Int
        let stabilizedWhy: Condition
        let limited: (replicas: Int, reason: String, message: String)
        if let up = spec.scaleUp, let down = spec.scaleDown {
            var upRecommendation = proposed
            var downRecommendation = proposed
            let upCutoff = now.addingTimeInterval(-TimeInterval(up.stabilizationWindowSeconds))
            let downCutoff = now.addingTimeInterval(-TimeInterval(down.stabilizationWindowSeconds))
            for record in history.recommendations {
                if record.at > upCutoff { upRecommendation = min(upRecommendation, record.replicas) }
                if record.at > downCutoff { downRecommendation = max(downRecommendation, record.replicas) }
            }
            var recommendation = current
            if recommendation < upRecommendation { recommendation = upRecommendation }
            if recommendation > downRecommendation { recommendation = downRecommendation }
            let keep = now.addingTimeInterval(-TimeInterval(max(up.stabilizationWindowSeconds, down.stabilizationWindowSeconds)))
            history.recommendations = history.recommendations.filter { $0.at > keep } + [(proposed, now)]
            stabilized = recommendation
            stabilizedWhy = proposed >= current
                ? Condition(status: true, reason: "ScaleUpStabilized", message: "recent recommendations were lower than current one, applying the lowest recent recommendation")
                : Condition(status: true, reason: "ScaleDownStabilized", message: "recent recommendations were higher than current one, applying the highest recent recommendation")
            limited = withRates(spec, up: up, down: down, current: current, desired: stabilized, history: history, now: now)
        } else {
            // No behavior: the highest recommendation of the last 5 minutes, at most double.
            let cutoff = now.addingTimeInterval(-legacyDownscaleWindow)
            history.recommendations = history.recommendations.filter { $0.at > cutoff } + [(proposed, now)]
            stabilized = history.recommendations.map(\.replicas).max() ?? proposed
            stabilizedWhy = Condition(status: true, reason: "ScaleDownStabilized", message: "recent recommendations were higher than current one, applying the highest recent recommendation")
            limited = legacyRules(spec, current: current, desired: stabilized)
        }
        let able = stabilized != proposed ? stabilizedWhy : Condition(status: true, reason: "ReadyForNewScale", message: "recommended size matches current size")
        return Normalized(
            replicas: limited.replicas, ableToScale: able,
            scalingLimited: Condition(status: limited.replicas != stabilized, reason: limited.reason, message: limited.message))
    }

    /// Records a rescale for the rate policies (only HPAs with a behavior keep them).
    static func recordScale(_ spec: AutoscalerSpec, from old: Int, to new: Int, history: inout ScalingHistory, now: Date) {
        guard let up = spec.scaleUp, let down = spec.scaleDown else { return }
        let upKeep = now.addingTimeInterval(-TimeInterval(up.policies.map(\.periodSeconds).max() ?? 0))
        let downKeep = now.addingTimeInterval(-TimeInterval(down.policies.map(\.periodSeconds).max() ?? 0))
        history.scaleUps = history.scaleUps.filter { $0.at > upKeep }
        history.scaleDowns = history.scaleDowns.filter { $0.at > downKeep }
        if new > old { history.scaleUps.append((new - old, now)) }
        if new < old { history.scaleDowns.append((old - new, now)) }
    }

    private static func changed(in events: [(count: Int, at: Date)], periodSeconds: Int, now: Date) -> Int {
        let cutoff = now.addingTimeInterval(-TimeInterval(periodSeconds))
        return events.filter { $0.at > cutoff }.reduce(0) { $0 + $1.count }
    }

    private static func withRates(
        _ spec: AutoscalerSpec, up: AutoscalerSpec.Rules, down: AutoscalerSpec.Rules, current: Int, desired: Int, history: ScalingHistory, now: Date
    ) -> (replicas: Int, reason: String, message: String) {
        if desired > current {
            var limit = current
            if up.selectPolicy != "Disabled" {
                var result = up.selectPolicy == "Min" ? Int.max : Int.min
                for policy in up.policies {
                    let start = current - changed(in: history.scaleUps, periodSeconds: policy.periodSeconds, now: now)
                    let proposed = policy.type == "Pods" ? start + policy.value : Int((Double(start) * (1 + Double(policy.value) / 100)).rounded(.up))
                    result = up.selectPolicy == "Min" ? min(result, proposed) : max(result, proposed)
                }
                limit = max(result, current)
            }
            if spec.maxReplicas > limit {
                if desired > limit { return (limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate") }
            } else if desired > spec.maxReplicas {
                return (spec.maxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
            }
        } else if desired < current {
            var limit = current
            if down.selectPolicy != "Disabled" {
                var result = down.selectPolicy == "Min" ? Int.min : Int.max
                for policy in down.policies {
                    let start = current + changed(in: history.scaleDowns, periodSeconds: policy.periodSeconds, now: now)
                    let proposed = policy.type == "Pods" ? start - policy.value : Int(Double(start) * (1 - Double(policy.value) / 100))
                    result = down.selectPolicy == "Min" ? max(result, proposed) : min(result, proposed)
                }
                limit = min(result, current)
            }
            if spec.minReplicas < limit {
                if desired < limit { return (limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate") }
            } else if desired < spec.minReplicas {
                return (spec.minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
            }
        }
        return (desired, "DesiredWithinRange", "the desired count is within the acceptable range")
    }

    private static func legacyRules(_ spec: AutoscalerSpec, current: Int, desired: Int) -> (replicas: Int, reason: String, message: String) {
        let scaleUpLimit = max(2 * current, 4)
        var maximum = spec.maxReplicas
        var reason = "TooManyReplicas"
        var message = "the desired replica count is more than the maximum replica count"
        if maximum > scaleUpLimit {
            maximum = scaleUpLimit
            reason = "ScaleUpLimit"
            message = "the desired replica count is increasing faster than the maximum scale rate"
        }
        if desired < spec.minReplicas {
            return (spec.minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
        }
        if desired > maximum { return (maximum, reason, message) }
        return (desired, "DesiredWithinRange", "the desired count is within the acceptable range")
    }
}
