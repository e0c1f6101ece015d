import Foundation
import KubeAPI
import Testing

@testable import Kubelet

@Suite struct PodActionsTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    func exited(_ name: String, code: Int32, attempt: Int = 0) -> ContainerObservation {
        let record = ExitRecord(exitCode: code, signal: nil, oomKilled: false, finishedAt: now, message: nil)
        return ContainerObservation(id: "\(name)-\(attempt)", name: name, attempt: attempt, state: .exited(record, startedAt: now))
    }

    func running(_ name: String, attempt: Int = 0) -> ContainerObservation {
        ContainerObservation(id: "\(name)-\(attempt)", name: name, attempt: attempt, state: .running(startedAt: now))
    }

    @Test func startsInitContainersOneAtATimeInOrder() {
        var input = PodSyncInput(restartPolicy: .always, initContainers: ["a", "b"], containers: ["web"], observed: [:], now: now)
        #expect(PodActions.compute(input).start == [.init(name: "a", attempt: 0, isInit: true)])
        input.observed["a"] = running("a")
        #expect(PodActions.compute(input).start.isEmpty)
        input.observed["a"] = exited("a", code: 0)
        #expect(PodActions.compute(input).start == [.init(name: "b", attempt: 0, isInit: true)])
        input.observed["b"] = exited("b", code: 0)
        #expect(PodActions.compute(input).start == [.init(name: "web", attempt: 0, isInit: false)])
    }

    @Test func failedInitContainerFailsThePodUnderNever() {
        let input = PodSyncInput(restartPolicy: .never, initContainers: ["a"], containers: ["web"], observed: ["a": exited("a", code: 1)], now: now)
        let actions = PodActions.compute(input)
        #expect(actions.finished == .failed)
        #expect(actions.start.isEmpty)
    }

    @Test func failedInitContainerRestartsUnderOnFailure() {
        let input = PodSyncInput(restartPolicy: .onFailure, initContainers: ["a"], containers: ["web"], observed: ["a": exited("a", code: 1)], now: now)
        #expect(PodActions.compute(input).start == [.init(name: "a", attempt: 1, isInit: true)])
    }

    @Test func restartPoliciesDecideWhetherAnExitedContainerRuns() {
        for (policy, code, restarts) in [(RestartPolicy.always, Int32(0), true), (.always, 1, true), (.onFailure, 0, false), (.onFailure, 2, true), (.never, 1, false), (.never, 0, false)] {
            let input = PodSyncInput(restartPolicy: policy, initContainers: [], containers: ["c"], observed: ["c": exited("c", code: code, attempt: 3)], now: now)
            let actions = PodActions.compute(input)
            #expect((actions.start == [.init(name: "c", attempt: 4, isInit: false)]) == restarts, "\(policy) exit \(code)")
            if !restarts { #expect(actions.finished == (code == 0 ? .succeeded : .failed)) }
        }
    }

    @Test func backOffDelaysARestart() {
        var backOff = CrashLoopBackOff()
        _ = backOff.recordCrash(at: now.addingTimeInterval(-30))
        _ = backOff.recordCrash(at: now)  // second crash: 10 s
        var input = PodSyncInput(restartPolicy: .always, initContainers: [], containers: ["c"], observed: ["c": exited("c", code: 1, attempt: 1)], backOffs: ["c": backOff], now: now.addingTimeInterval(5))
        var actions = PodActions.compute(input)
        #expect(actions.start.isEmpty)
        #expect(actions.backingOff == ["c"])
        #expect(actions.finished == nil)
        input.now = now.addingTimeInterval(10)
        actions = PodActions.compute(input)
        #expect(actions.start == [.init(name: "c", attempt: 2, isInit: false)])
    }

    @Test func unhealthyContainerIsKilled() {
        let input = PodSyncInput(restartPolicy: .always, initContainers: [], containers: ["c", "d"], observed: ["c": running("c"), "d": running("d")], unhealthy: ["d"], now: now)
        let actions = PodActions.compute(input)
        #expect(actions.kill.map(\.name) == ["d"])
        #expect(actions.kill.first?.reason == "Unhealthy")
    }
}
