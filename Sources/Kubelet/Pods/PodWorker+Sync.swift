import Foundation
import KubeAPI

/// One sync pass: sandbox, volumes, observations, probes, the next actions, status.
extension PodWorker {
    /// How often configMap and secret volumes are re-projected from the current objects.
    static let projectionPeriod: TimeInterval = 1

    func sync() {
        let now = Date()
        if !sandboxReady {
            if let retry = sandboxRetryAt, now < retry {
                writeStatus(now: now)
                return
            }
            do {
                try setUpSandbox(now: now)
                sandboxError = nil
            } catch {
                sandboxError = "\(error)"
                sandboxRetryAt = now.addingTimeInterval(2)
                events.record("Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: \(error)", at: now)
                logger.error("sandbox: \(error)")
                writeStatus(now: now)
                return
            }
        }
        if volumePaths == nil {
            if let retry = volumeRetryAt, now < retry {
                writeStatus(now: now)
                return
            }
            do {
                var paths = try PodVolumes(directory: layout.volumesDir(uid: uid)).setUp(spec.volumes ?? [])
                for (name, path) in try configVolumes.setUp(store: services.configs.current) { paths[name] = path }
                volumePaths = paths
                volumeRetryAt = nil
                // The mount failure shown while retrying is over.
                for container in allContainers where waiting[container.name]?.reason == "ContainerCreating" {
                    waiting[container.name] = nil
                }
                nextProjection = now.addingTimeInterval(Self.projectionPeriod)
            } catch {
                // As upstream: MountVolume.SetUp failed for volume "x" : configmap "y" not found.
                let message = (error as? ConfigVolumeError).map { "MountVolume.SetUp failed: \($0)" } ?? "\(error)"
                events.record("Warning", "FailedMount", message, at: now)
                for container in allContainers { waiting[container.name] = ("ContainerCreating", message) }
                volumeRetryAt = now.addingTimeInterval(1)
                writeStatus(now: now)
                return
            }
        } else if now >= nextProjection {
            nextProjection = now.addingTimeInterval(Self.projectionPeriod)
            let refreshed = configVolumes.refresh(store: services.configs.current)
            for name in refreshed.changed { logger.info("volume \(name) updated") }
            for (name, failure) in refreshed.failures {
                events.record("Warning", "FailedMount", "MountVolume.SetUp failed for volume \"\(name)\" : \(failure)", at: now)
            }
        }
        observe(now: now)
        let unhealthy = runProbes(now: now)
        let actions = PodActions.compute(PodSyncInput(
            restartPolicy: spec.restartPolicy ?? RestartPolicy.always, initContainers: (spec.initContainers ?? []).map(\.name),
            containers: spec.containers.map(\.name), observed: latestObservations(), backOffs: backOffs,
            unhealthy: Set(unhealthy.keys), now: now))
        for kill in actions.kill {
            let failure = unhealthy[kill.name] ?? ProbeFailure(probe: "liveness", grace: gracePeriod())
            events.record("Normal", "Killing", "Container \(kill.name) failed \(failure.probe) probe, will be restarted", at: now)
            stopContainer(id: kill.id, grace: failure.grace)
        }
        for name in actions.backingOff {
            let delay = backOffs[name]?.delay ?? CrashLoopBackOff.initial
            waiting[name] = ("CrashLoopBackOff", "back-off \(Int(delay))s restarting failed container=\(name) pod=\(self.name)_\(namespace)(\(uid))")
        }
        for start in actions.start {
            if let retry = retryAt[start.name], now < retry { continue }
            startContainer(start, now: now)
            // Init containers run one at a time: the next sync sees this one running.
            if start.isInit { break }
        }
        if let decision = actions.finished, finished == nil {
            finished = decision
            logger.info("pod \(decision.rawValue.lowercased())")
        }
        collectGarbage()
        writeStatus(now: now)
    }

    private var configVolumes: PodConfigVolumes {
        PodConfigVolumes(directory: layout.volumesDir(uid: uid), namespace: namespace, volumes: spec.volumes ?? [], logger: logger)
    }
}
