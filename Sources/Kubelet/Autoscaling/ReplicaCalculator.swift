import Foundation

/// The replica count one resource metric proposes, as upstream's `ReplicaCalculator`
/// computes it: ignore deleted and failed pods, leave out pending, unready and (for CPU)
/// just-started pods, compare usage with the target, stay put within the tolerance, and
/// when pods lack samples or are unready assume the least helpful usage for them before
/// deciding (so missing data never makes the HPA move further than measured data says).
enum ReplicaCalculator {
    static let tolerance = 0.1
    /// CPU of a pod this young may be start-up noise (upstream's cpu-initialization-period).
    static let cpuInitializationPeriod: TimeInterval = 300
    /// A pod that turned unready this soon after its start is still starting.
    static let delayOfInitialReadinessStatus: TimeInterval = 30

    enum Target: Equatable {
        /// Percent of the pods' requests.
        case utilization(Int64)
        /// Milli-units per pod.
        case averageValue(Int64)
    }

    struct Proposal: Equatable {
        var replicas: Int
        /// Average usage over the pods with samples (milli-units).
        var averageValue: Int64
        /// Percent of requests; set for a utilization target.
        var utilization: Int64?
    }

    struct Failure: Error, Equatable, CustomStringConvertible {
        var reason: String
        var message: String
        var description: String { message }
    }

    static func propose(resource: String, target: Target, currentReplicas: Int, pods: [AutoscalerPod], now: Date) throws -> Proposal {
        guard !pods.isEmpty else { throw Failure(reason: "FailedGetResourceMetric", message: "no pods returned by selector while calculating replica count") }
        var metrics: [String: Int64] = [:]
        var unready: Set<String> = []
        var missing: Set<String> = []
        var readyCount = 0
        for pod in pods {
            if pod.deleting || pod.phase == "Failed" { continue }
            if pod.phase == "Pending" { unready.insert(pod.name); continue }
            guard let usage = pod.usage[resource] else { missing.insert(pod.name); continue }
            if resource == "cpu", isUnready(pod, now: now) { unready.insert(pod.name); continue }
            metrics[pod.name] = usage
            readyCount += 1
        }
        guard !metrics.isEmpty else {
            throw Failure(reason: "FailedGetResourceMetric", message: "unable to get metrics for resource \(resource): no metrics returned from resource metrics API")
        }
        var requests: [String: Int64] = [:]
        if case .utilization = target {
            for pod in pods where metrics[pod.name] != nil || missing.contains(pod.name) || unready.contains(pod.name) {
                guard let request = pod.requests[resource], request > 0 else {
                    throw Failure(reason: "FailedGetResourceMetric", message: "missing request for \(resource) in pod \(pod.name)")
                }
                requests[pod.name] = request
            }
        }
        let (ratio, utilization, average) = usageRatio(metrics, requests: requests, target: target)
        let scaleUpWithUnready = !unready.isEmpty && ratio > 1
        if !scaleUpWithUnready && missing.isEmpty {
            if abs(1 - ratio) <= tolerance { return Proposal(replicas: currentReplicas, averageValue: average, utilization: utilization) }
            return Proposal(replicas: Int((ratio * Double(readyCount)).rounded(.up)), averageValue: average, utilization: utilization)
        }
        var filled = metrics
        if !missing.isEmpty {
            for name in missing {
                if ratio < 1 {
                    // Scaling down: pods without samples count as at least the target.
                    switch target {
                    case .utilization(let percent): filled[name] = (requests[name] ?? 0) * max(100, percent) / 100
                    case .averageValue(let value): filled[name] = value
                    }
                } else if ratio > 1 {
                    filled[name] = 0
                }
            }
        }
        if scaleUpWithUnready { for name in unready { filled[name] = 0 } }
        let (newRatio, _, _) = usageRatio(filled, requests: requests, target: target)
        if abs(1 - newRatio) <= tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1) {
            return Proposal(replicas: currentReplicas, averageValue: average, utilization: utilization)
        }
        let replicas = Int((newRatio * Double(filled.count)).rounded(.up))
        if (newRatio < 1 && replicas > currentReplicas) || (newRatio > 1 && replicas < currentReplicas) {
            return Proposal(replicas: currentReplicas, averageValue: average, utilization: utilization)
        }
        return Proposal(replicas: replicas, averageValue: average, utilization: utilization)
    }

    /// Upstream's readiness test for CPU: within the initialization period a pod counts
    /// only once ready and sampled after it became ready; later, only a pod that went
    /// unready while starting up is still left out.
    static func isUnready(_ pod: AutoscalerPod, now: Date) -> Bool {
        guard let ready = pod.ready, let start = pod.startTime else { return true }
        let since = ready.since ?? start
        if start.addingTimeInterval(cpuInitializationPeriod) > now {
            return !ready.status || (pod.sampledAt ?? now) < since.addingTimeInterval(pod.window)
        }
        return !ready.status && start.addingTimeInterval(delayOfInitialReadinessStatus) > since
    }

    /// (usage ratio to target, utilization percent if a utilization target, average usage).
    static func usageRatio(_ metrics: [String: Int64], requests: [String: Int64], target: Target) -> (Double, Int64?, Int64) {
        let total = metrics.values.reduce(0, +)
        let average = metrics.isEmpty ? 0 : total / Int64(metrics.count)
        switch target {
        case .utilization(let percent):
            let requested = metrics.keys.reduce(Int64(0)) { $0 + (requests[$1] ?? 0) }
            guard requested > 0 else { return (0, 0, average) }
            let utilization = total * 100 / requested
            return (Double(utilization) / Double(percent), utilization, average)
        case .averageValue(let value):
            return (Double(average) / Double(max(value, 1)), nil, average)
        }
    }
}
