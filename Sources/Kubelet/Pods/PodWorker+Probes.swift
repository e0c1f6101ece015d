import Foundation
import KubeAPI

/// Startup, liveness and readiness probes of the running containers.
extension PodWorker {
    /// A container to restart because a probe failed: which probe, and the grace period its
    /// kill gets (the probe's `terminationGracePeriodSeconds`, else the pod's, as upstream).
    struct ProbeFailure {
        var probe: String
        var grace: TimeInterval
    }

    /// Runs due probes; returns the containers whose liveness or startup probe failed, by name.
    func runProbes(now: Date) -> [String: ProbeFailure] {
        var unhealthy: [String: ProbeFailure] = [:]
        func failed(_ kind: String, _ probe: Probe?, _ container: Container) {
            unhealthy[container.name] = ProbeFailure(
                probe: kind, grace: probe?.terminationGracePeriodSeconds.map(TimeInterval.init) ?? gracePeriod())
        }
        let runner = ProbeRunner(containers: services.containers)
        for (id, instance) in instances where instance.exit == nil {
            guard let monitor = instance.monitor, let container = container(named: instance.labels.containerName),
                  var trackers = probes[id] else { continue }
            let startedAt = monitor.startedAt
            if let startup = trackers.startup, !startup.passing {
                if runIfDue(container.startupProbe, "Startup", tracker: &trackers.startup, container: container, instanceID: id,
                            startedAt: startedAt, runner: runner, now: now),
                   trackers.startup?.failedThreshold == true {
                    failed("startup", container.startupProbe, container)
                }
                probes[id] = trackers
                continue
            }
            if runIfDue(container.livenessProbe, "Liveness", tracker: &trackers.liveness, container: container, instanceID: id,
                        startedAt: startedAt, runner: runner, now: now),
               trackers.liveness?.passing == false {
                failed("liveness", container.livenessProbe, container)
            }
            runIfDue(container.readinessProbe, "Readiness", tracker: &trackers.readiness, container: container, instanceID: id,
                     startedAt: startedAt, runner: runner, now: now)
            probes[id] = trackers
        }
        return unhealthy
    }

    /// Runs a probe if its tracker says it is due, records the outcome, and reports each
    /// failed run as an Unhealthy event, as upstream; returns whether it ran.
    @discardableResult
    private func runIfDue(
        _ probe: Probe?, _ kind: String, tracker: inout ProbeTracker?, container: Container, instanceID: String,
        startedAt: Date, runner: ProbeRunner, now: Date
    ) -> Bool {
        guard tracker?.isDue(now: now, startedAt: startedAt) == true, let probe else { return false }
        let outcome = runner.run(probe, container: container, pod: pod, instanceID: instanceID, podIP: podIP)
        tracker?.record(outcome, at: now)
        if case .failure(let message) = outcome {
            events.record("Warning", "Unhealthy", "\(kind) probe failed: \(message)", at: now)
        }
        return true
    }
}
