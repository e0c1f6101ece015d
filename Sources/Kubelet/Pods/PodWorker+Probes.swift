import Foundation
import KubeAPI

/// Startup, liveness and readiness probes of the running containers.
extension PodWorker {
    /// Runs due probes; returns the containers whose liveness or startup probe failed.
    func runProbes(now: Date) -> Set<String> {
        var unhealthy: Set<String> = []
        let runner = ProbeRunner(containers: services.containers)
        for (id, instance) in instances where instance.exit == nil {
            guard let monitor = instance.monitor, let container = container(named: instance.labels.containerName),
                  var trackers = probes[id] else { continue }
            let startedAt = monitor.startedAt
            if let startup = trackers.startup, !startup.passing {
                if startup.isDue(now: now, startedAt: startedAt), let probe = container.startupProbe {
                    trackers.startup?.record(runner.run(probe, container: container, pod: pod, instanceID: id, podIP: podIP), at: now)
                    if trackers.startup?.failedThreshold == true {
                        events.record("Warning", "Unhealthy", "Startup probe failed: \(trackers.startup?.lastMessage ?? "")", at: now)
                        unhealthy.insert(container.name)
                    }
                }
                probes[id] = trackers
                continue
            }
            if let liveness = trackers.liveness, liveness.isDue(now: now, startedAt: startedAt), let probe = container.livenessProbe {
                let outcome = runner.run(probe, container: container, pod: pod, instanceID: id, podIP: podIP)
                trackers.liveness?.record(outcome, at: now)
                if case .failure(let message) = outcome {
                    events.record("Warning", "Unhealthy", "Liveness probe failed: \(message)", at: now)
                }
                if trackers.liveness?.passing == false { unhealthy.insert(container.name) }
            }
            if let readiness = trackers.readiness, readiness.isDue(now: now, startedAt: startedAt), let probe = container.readinessProbe {
                let outcome = runner.run(probe, container: container, pod: pod, instanceID: id, podIP: podIP)
                trackers.readiness?.record(outcome, at: now)
                if case .failure(let message) = outcome {
                    events.record("Warning", "Unhealthy", "Readiness probe failed: \(message)", at: now)
                }
            }
            probes[id] = trackers
        }
        return unhealthy
    }
}
