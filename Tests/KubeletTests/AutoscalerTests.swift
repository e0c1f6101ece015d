import APIStore
import Foundation
import Testing
@testable import Kubelet

@Suite struct AutoscalerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A ready pod started 10 minutes ago, requesting 200m, using `cpu` millicores.
    func pod(_ name: String, cpu: Int64?, request: Int64? = 200, started: TimeInterval = 600) -> AutoscalerPod {
        var pod = AutoscalerPod(name: name, phase: "Running", startTime: now.addingTimeInterval(-started),
                                ready: (true, now.addingTimeInterval(-started + 5)))
        if let request { pod.requests = ["cpu": request] }
        if let cpu { pod.usage = ["cpu": cpu]; pod.sampledAt = now; pod.window = 15 }
        return pod
    }

    func hpa(_ spec: [String: JSONValue]) throws -> AutoscalerSpec {
        var full: [String: JSONValue] = ["scaleTargetRef": ["kind": "Deployment", "name": "burn"], "maxReplicas": 5,
            "metrics": [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 50]]]]]
        for (key, value) in spec { full[key] = value }
        return try AutoscalerSpec(["metadata": ["name": "h"], "spec": .object(full)])
    }

    @Test func utilizationProposesCeilOfRatio() throws {
        // 2 pods at 146% of 200m against 50%: ceil(2 × 2.92) = 6.
        let proposal = try ReplicaCalculator.propose(resource: "cpu", target: .utilization(50), currentReplicas: 2,
                                                     pods: [pod("a", cpu: 292), pod("b", cpu: 292)], now: now)
        #expect(proposal.replicas == 6 && proposal.utilization == 146 && proposal.averageValue == 292)
    }

    @Test func withinToleranceKeepsReplicas() throws {
        let proposal = try ReplicaCalculator.propose(resource: "cpu", target: .utilization(50), currentReplicas: 3,
                                                     pods: [pod("a", cpu: 108), pod("b", cpu: 108), pod("c", cpu: 108)], now: now)
        #expect(proposal.replicas == 3)
    }

    @Test func averageValueTarget() throws {
        let proposal = try ReplicaCalculator.propose(resource: "cpu", target: .averageValue(100), currentReplicas: 1,
                                                     pods: [pod("a", cpu: 350, request: nil)], now: now)
        #expect(proposal.replicas == 4 && proposal.utilization == nil)
    }

    @Test func unreadyAndMissingPodsDampenScaleUp() throws {
        // One measured pod at 200%, one just started and not ready, one without a sample:
        // unready and missing count as 0 on the way up: 400m of 600m = 66% → ceil(3 × 1.32) = 4.
        var starting = pod("b", cpu: 500, started: 20)
        starting.ready = (false, now.addingTimeInterval(-20))
        let proposal = try ReplicaCalculator.propose(resource: "cpu", target: .utilization(50), currentReplicas: 3,
                                                     pods: [pod("a", cpu: 400), starting, pod("c", cpu: nil)], now: now)
        #expect(proposal.replicas == 4)
    }

    @Test func missingPodsAssumeFullUseOnTheWayDown() throws {
        // Measured pod idle; the unsampled one counts as 100% of its request: (0 + 200)/400 = 50% → stays.
        let proposal = try ReplicaCalculator.propose(resource: "cpu", target: .utilization(50), currentReplicas: 2,
                                                     pods: [pod("a", cpu: 0), pod("b", cpu: nil)], now: now)
        #expect(proposal.replicas == 2)
    }

    @Test func missingRequestIsAnError() {
        #expect(throws: ReplicaCalculator.Failure.self) {
            try ReplicaCalculator.propose(resource: "cpu", target: .utilization(50), currentReplicas: 1, pods: [pod("a", cpu: 100, request: nil)], now: now)
        }
    }

    @Test func specDefaultsAndErrors() throws {
        let spec = try hpa(["behavior": ["scaleDown": ["stabilizationWindowSeconds": 10]]])
        #expect(spec.minReplicas == 1 && spec.maxReplicas == 5)
        #expect(spec.scaleUp == AutoscalerSpec.defaultScaleUp)
        #expect(spec.scaleDown?.stabilizationWindowSeconds == 10 && spec.scaleDown?.policies == AutoscalerSpec.defaultScaleDown.policies)
        #expect(throws: AutoscalerSpec.Invalid.self) { try hpa(["metrics": [["type": "Pods"]]]) }
        let memory = try hpa(["metrics": [["type": "Resource", "resource": ["name": "memory", "target": ["type": "AverageValue", "averageValue": "1Mi"]]]]])
        #expect(memory.metrics.first?.target == .averageValue(1_048_576_000))
    }

    @Test func scalesUpToMaxAndReportsLimited() throws {
        var controller = AutoscalerController()
        let spec = try hpa(["behavior": [:]])
        let decision = controller.reconcile(key: "d/h", spec: spec, currentReplicas: 1, pods: [pod("a", cpu: 1000)], now: now)
        #expect(decision.desiredReplicas == 5 && decision.rescale)
        let limited = decision.conditions.first { $0.type == "ScalingLimited" }?.condition
        #expect(limited?.status == true && limited?.reason == "TooManyReplicas")
        #expect(decision.conditions.first?.condition.reason == "SucceededRescale")
        #expect(decision.events.contains { $0.reason == "SuccessfulRescale" && $0.message == "New size: 5; reason: cpu resource utilization (percentage of request) above target" })
        #expect(decision.currentMetrics.first?[path: ["resource", "current", "averageUtilization"]] == 500)
    }

    @Test func scaleUpRateLimitedByPolicies() throws {
        var controller = AutoscalerController()
        let spec = try hpa(["maxReplicas": 20, "behavior": ["scaleUp": ["policies": [["type": "Pods", "value": 1, "periodSeconds": 60]]]]])
        let first = controller.reconcile(key: "d/h", spec: spec, currentReplicas: 1, pods: [pod("a", cpu: 1000)], now: now)
        #expect(first.desiredReplicas == 2)
        #expect(first.conditions.first { $0.type == "ScalingLimited" }?.condition.reason == "ScaleUpLimit")
        // Within the same minute the policy allows no more.
        let again = controller.reconcile(key: "d/h", spec: spec, currentReplicas: 2,
                                         pods: [pod("a", cpu: 1000), pod("b", cpu: 1000)], now: now.addingTimeInterval(15))
        #expect(again.desiredReplicas == 2 && !again.rescale)
    }

    @Test func scaleDownWaitsForTheStabilizationWindow() throws {
        var controller = AutoscalerController()
        let spec = try hpa(["behavior": ["scaleDown": ["stabilizationWindowSeconds": 30]]])
        let busy = [pod("a", cpu: 200), pod("b", cpu: 200), pod("c", cpu: 200), pod("d", cpu: 200)]
        _ = controller.reconcile(key: "d/h", spec: spec, currentReplicas: 4, pods: busy.map { var p = $0; p.usage["cpu"] = 100; return p }, now: now)
        let idle = busy.map { var p = $0; p.usage["cpu"] = 0; return p }
        let soon = controller.reconcile(key: "d/h", spec: spec, currentReplicas: 4, pods: idle, now: now.addingTimeInterval(15))
        #expect(soon.desiredReplicas == 4 && !soon.rescale)
        #expect(soon.conditions.first?.condition.reason == "ScaleDownStabilized")
        let later = controller.reconcile(key: "d/h", spec: spec, currentReplicas: 4, pods: idle, now: now.addingTimeInterval(45))
        #expect(later.desiredReplicas == 1 && later.rescale)
        #expect(later.events.contains { $0.message == "New size: 1; reason: All metrics below target" })
    }

    @Test func legacyRulesWithoutBehavior() throws {
        var controller = AutoscalerController()
        let spec = try hpa(["maxReplicas": 10])
        let decision = controller.reconcile(key: "d/h", spec: spec, currentReplicas: 1, pods: [pod("a", cpu: 1000)], now: now)
        #expect(decision.desiredReplicas == 4)
        #expect(decision.conditions.first { $0.type == "ScalingLimited" }?.condition.reason == "ScaleUpLimit")
    }

    @Test func zeroReplicasDisablesScaling() throws {
        var controller = AutoscalerController()
        let decision = controller.reconcile(key: "d/h", spec: try hpa([:]), currentReplicas: 0, pods: [], now: now)
        #expect(!decision.rescale && decision.conditions.contains { $0.type == "ScalingActive" && $0.condition.reason == "ScalingDisabled" })
    }

    @Test func noMetricsIsReported() throws {
        var controller = AutoscalerController()
        let decision = controller.reconcile(key: "d/h", spec: try hpa([:]), currentReplicas: 1, pods: [pod("a", cpu: nil)], now: now)
        #expect(!decision.rescale)
        #expect(decision.conditions.contains { $0.type == "ScalingActive" && !$0.condition.status && $0.condition.reason == "FailedGetResourceMetric" })
        #expect(decision.events.contains { $0.reason == "FailedComputeMetricsReplicas" })
    }

    @Test func anInvalidMetricBlocksScaleDownNotScaleUp() throws {
        var controller = AutoscalerController()
        let spec = try hpa(["metrics": [
            ["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 50]]],
            ["type": "Resource", "resource": ["name": "memory", "target": ["type": "Utilization", "averageUtilization": 50]]],
        ]])
        // No memory samples: that metric fails; CPU alone may scale up, not down.
        let up = controller.reconcile(key: "d/h", spec: spec, currentReplicas: 1, pods: [pod("a", cpu: 400)], now: now)
        #expect(up.desiredReplicas == 4 && up.conditions.contains { $0.type == "ScalingActive" && $0.condition.reason == "ValidMetricFound" })
        #expect(up.events.contains { $0.message == "failed to get memory utilization: unable to get metrics for resource memory: no metrics returned from resource metrics API" })
        let down = controller.reconcile(key: "d/h", spec: spec, currentReplicas: 4, pods: [pod("a", cpu: 0)], now: now.addingTimeInterval(15))
        #expect(!down.rescale && down.conditions.contains { $0.type == "ScalingActive" && !$0.condition.status })
    }

    @Test func cgroupUsageParsing() {
        let v1 = CgroupUsage.v1(cpuacctUsage: "123456789\n", memoryUsage: "10485760\n", memoryStat: "cache 1\ntotal_inactive_file 4194304\n")
        #expect(v1 == CgroupUsage(cpuNanoseconds: 123_456_789, workingSetBytes: 6_291_456))
        let v2 = CgroupUsage.v2(cpuStat: "usage_usec 2000\nuser_usec 1000\n", memoryCurrent: "4096\n", memoryStat: "inactive_file 8192\n")
        #expect(v2 == CgroupUsage(cpuNanoseconds: 2_000_000, workingSetBytes: 0))
        let rate = CgroupUsage.cpuRate(from: CgroupUsage(cpuNanoseconds: 0, workingSetBytes: 0),
                                       to: CgroupUsage(cpuNanoseconds: 15_000_000_000, workingSetBytes: 0), seconds: 15)
        #expect(rate == 1_000_000_000)
        #expect(ResourceMetricsSampler.containerCgroups(children: ["u1-web-0", "u1-web-2", "u1-side-car-1", "other"], podUID: "u1")
            == ["web": "u1-web-2", "side-car": "u1-side-car-1"])
    }
}
