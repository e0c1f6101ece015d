import Foundation
import KubeAPI
import Runtime

/// Terminating the pod: every container stopped with grace, then everything of it removed.
extension PodWorker {
    func terminatePod() {
        let now = Date()
        events.record("Normal", "Killing", "Stopping pod", at: now)
        markTerminating(at: now)
        let grace = gracePeriod()
        // Every container gets its grace period at once, as upstream.
        let running = instances.values.filter { $0.exit == nil }
        let stopped = [ContainerInstance](unsafeUninitializedCapacity: running.count) { buffer, count in
            DispatchQueue.concurrentPerform(iterations: running.count) { index in
                (buffer.baseAddress! + index).initialize(to: stopInstance(running[index], grace: grace))
            }
            count = running.count
        }
        for instance in stopped { instances[instance.id] = instance }
        for id in instances.keys { services.containers.remove(id: id) }
        for leftover in services.containers.instances(podUID: uid) { services.containers.remove(id: leftover.id) }
        releaseSandbox()
        sharedPIDNamespace.remove()
        try? FileManager.default.removeItem(atPath: sharedPIDNamespace.directory)
        PodVolumes(directory: layout.volumesDir(uid: uid)).tearDown()
        if let cgroup = try? Cgroups.manager(path: podCgroup) { try? cgroup.destroy() }
        try? FileManager.default.removeItem(atPath: layout.podDir(uid: uid))
        try? FileManager.default.removeItem(atPath: layout.podLogDir(namespace: namespace, name: name, uid: uid))
        logger.info("pod removed")
    }

    /// Shows the pod as Terminating (deletionTimestamp set) while it stops, so Services drop
    /// it from their endpoints at once, as upstream.
    private func markTerminating(at now: Date) {
        guard var current = JSONFile.read(Pod.self, from: layout.podFile(uid: uid)) else { return }
        current.metadata.deletionTimestamp = KubeTime(now)
        current.metadata.deletionGracePeriodSeconds = gracePeriodSeconds
        try? JSONFile.write(current, to: layout.podFile(uid: uid))
    }
}
