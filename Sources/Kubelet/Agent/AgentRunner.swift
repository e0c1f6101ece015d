import Dispatch
import Foundation
import KubeAPI
import Logging

/// Wires the node from its configuration (`swiftlet run`, `swiftlet reset`): the CNI
/// network, the image store, the monitored runtime, and the agent loop.
public enum AgentRunner {
    /// Runs the agent until SIGTERM or SIGINT; pods keep running after it returns.
    public static func run(_ config: AgentConfiguration, logger: Logger) throws {
        try config.save()
        let services = try makeServices(config, logger: logger)
        let agent = NodeAgent(manifests: config.manifests, services: services, resync: config.resync)
        let signals = [SIGTERM, SIGINT].map { signal -> DispatchSourceSignal in
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler {
                logger.info("signal \(signal): stopping the agent; pods keep running")
                agent.stop()
            }
            source.resume()
            return source
        }
        logger.info("swiftlet agent on node \(config.nodeName): manifests \(config.manifests), pod CIDR \(config.podCIDR)")
        try agent.run()
        signals.forEach { $0.cancel() }
    }

    /// Stops and removes every pod, its network and its state.
    public static func reset(root: String, logger: Logger) throws {
        let config = AgentConfiguration.load(root: root)
        let services = try makeServices(config, logger: logger)
        let layout = config.layout
        let uids = (try? FileManager.default.contentsOfDirectory(atPath: layout.podsDir)) ?? []
        let workers = uids.compactMap { uid -> PodWorker? in
            guard let pod = JSONFile.read(Pod.self, from: layout.podFile(uid: uid)) else { return nil }
            return PodWorker(pod: pod, services: services)
        }
        for worker in workers {
            worker.terminate()
            worker.start()
        }
        for worker in workers { _ = worker.wait() }
        // Containers whose pod record is gone.
        for id in ContainerFiles.all(root: layout.root) { services.containers.remove(id: id) }
        try? FileManager.default.removeItem(atPath: layout.podsDir)
        try? FileManager.default.removeItem(atPath: layout.containersDir)
        logger.info("removed \(workers.count) pods")
    }
}
