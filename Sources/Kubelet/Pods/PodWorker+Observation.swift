import Foundation
import KubeAPI

/// Observing the pod's container instances: exits noted, back-offs armed, the latest and
/// previous instance of each container.
extension PodWorker {
    /// Refreshes running instances and notes new exits (arming the back-off of containers
    /// that will restart).
    func observe(now: Date) {
        for (id, instance) in instances where instance.exit == nil {
            instances[id] = services.containers.refresh(instance)
        }
        for (id, instance) in instances where instance.interrupted {
            // Its monitor ended before it could even record the container (a full disk):
            // create it again after a pause, as a failed creation.
            services.containers.remove(id: id)
            instances[id] = nil
            probes[id] = nil
            retryAt[instance.labels.containerName] = now.addingTimeInterval(2)
        }
        for (id, instance) in instances where instance.exit != nil && !seenExits.contains(id) {
            seenExits.insert(id)
            probes[id] = nil
            guard let exit = instance.exit else { continue }
            let name = instance.labels.containerName
            let policy = spec.restartPolicy ?? .always
            let restarts = isInit(name) ? (exit.exitCode != 0 && policy != .never) : policy.restarts(exitCode: exit.exitCode)
            if exit.oomKilled {
                events.record("Warning", "OOMKilled", "Container \(name) was OOM-killed", at: now)
            }
            if restarts {
                var backOff = backOffs[name] ?? CrashLoopBackOff()
                _ = backOff.recordCrash(at: now)
                backOffs[name] = backOff
                if exit.exitCode != 0 {
                    events.record("Warning", "BackOff", "Back-off restarting failed container \(name) in pod \(self.name)", at: now)
                }
            }
        }
    }

    /// The latest instance of each container by attempt.
    func latestObservations() -> [String: ContainerObservation] {
        var latest: [String: ContainerInstance] = [:]
        for instance in instances.values {
            let name = instance.labels.containerName
            if let current = latest[name], current.labels.attempt >= instance.labels.attempt { continue }
            latest[name] = instance
        }
        return latest.compactMapValues(\.observation)
    }

    func previousInstance(of name: String, before attempt: Int) -> ContainerInstance? {
        instances.values.filter { $0.labels.containerName == name && $0.labels.attempt < attempt }
            .max { $0.labels.attempt < $1.labels.attempt }
    }
}
