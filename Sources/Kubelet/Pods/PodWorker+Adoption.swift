import Foundation
import KubeAPI

/// Adoption: what a previous agent left of the pod, taken over when the worker starts.
extension PodWorker {
    /// Picks up what a previous agent left: the sandbox, its IP, the containers.
    func adopt() {
        if let saved = JSONFile.read(PodNetworkRecord.self, from: layout.networkFile(uid: uid)),
           sandbox.exists {
            podIP = saved.ip
            startTime = saved.startTime
            sandboxReady = true
        }
        for instance in adoptableInstances() {
            instances[instance.id] = instance
            if instance.exit != nil { seenExits.insert(instance.id) }
            if instance.exit == nil, let container = container(named: instance.labels.containerName) {
                probes[instance.id] = ContainerProbes(container: container)
            }
        }
    }

    /// How long a monitor launched by a previous agent may take to start its container.
    static let monitorStartWait: TimeInterval = 30

    /// The pod's containers on disk once every monitor a previous agent launched has said
    /// how its container fared. Those whose creation was cut short are removed: they are
    /// created again under the same attempt, so never duplicated and never counted as a
    /// restart.
    private func adoptableInstances() -> [ContainerInstance] {
        var found = services.containers.instances(podUID: uid)
        let deadline = Date().addingTimeInterval(Self.monitorStartWait)
        while found.contains(where: \.isStarting) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            found = found.map { services.containers.refresh($0) }
        }
        return found.filter { instance in
            guard instance.observation == nil else { return true }
            logger.info("removing container \(instance.id): its creation was interrupted")
            services.containers.remove(id: instance.id)
            return false
        }
    }
}
