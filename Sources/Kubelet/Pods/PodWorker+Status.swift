import Foundation
import KubeAPI

/// The pod's status, built from what was observed and written to the pod file.
extension PodWorker {
    func writeStatus(now: Date) {
        var views: [String: ContainerView] = [:]
        let latest = latestObservations()
        for container in allContainers {
            var view = ContainerView(name: container.name, image: container.image ?? "")
            view.imageID = imageIDs[container.name] ?? ""
            view.current = latest[container.name]
            if let current = view.current {
                view.previous = previousInstance(of: container.name, before: current.attempt)?.observation
                if view.imageID.isEmpty {
                    view.imageID = instances[current.id]?.labels.imageID ?? ""
                }
            }
            if let (reason, message) = waiting[container.name] {
                // A running container's own state wins over a stale waiting reason.
                if view.current?.isRunning != true {
                    view.waitingReason = reason
                    view.waitingMessage = message
                }
            } else if view.current == nil, let sandboxError {
                view.waitingReason = "ContainerCreating"
                view.waitingMessage = sandboxError
            }
            if let current = view.current, current.isRunning, let trackers = probes[current.id] {
                view.started = trackers.started
                view.ready = trackers.started && (trackers.readiness?.passing ?? true)
            } else if let current = view.current, current.isRunning {
                view.started = true
                view.ready = true
            } else {
                view.started = view.current == nil ? nil : false
            }
            views[container.name] = view
        }
        let status = PodStatusBuilder.build(PodStatusBuilder.Input(
            pod: pod, initContainers: (spec.initContainers ?? []).compactMap { views[$0.name] },
            containers: spec.containers.compactMap { views[$0.name] }, podIP: podIP, hostIP: services.hostIP,
            startTime: startTime, finished: finished, previous: lastStatus, now: now))
        if status != lastStatus {
            var current = pod
            current.metadata.creationTimestamp = createdAt
            current.status = status
            try? FileManager.default.createDirectory(atPath: layout.podDir(uid: uid), withIntermediateDirectories: true)
            do {
                try JSONFile.write(current, to: layout.podFile(uid: uid))
                lastStatus = status
            } catch {
                logger.error("write status: \(error)")
            }
        }
        events.save(to: layout.eventsFile(uid: uid))
    }

    /// The pod's status as last written.
    public var status: PodStatus? {
        JSONFile.read(Pod.self, from: layout.podFile(uid: uid))?.status
    }
}
