import Dispatch
import Foundation
import KubeAPI
import Logging
import Images
import NetAddress
import Runtime
import APIStore

/// Wires the node from its configuration (`swiftlet run`, `swiftlet reset`): the CNI
/// network, the image store, the monitored runtime, and the agent loop.
public enum AgentRunner {
    /// Runs the agent until SIGTERM or SIGINT; pods keep running after it returns.
    public static func run(_ config: AgentConfiguration, logger: Logger) throws {
        let registry = try (config.registry ?? RegistrySettings()).load()
        try config.save()
        let services = try makeServices(config, registry: registry, logger: logger)
        let agent = NodeAgent(manifests: config.manifests, services: services, resync: config.resync)
        let api = try APIWiring.start(config, services: services, agent: agent, logger: logger)
        defer { api?.stop() }
        var settings = ServiceController.Settings()
        settings.serviceCIDR = config.serviceCIDR
        settings.clusterDNS = config.clusterDNS
        settings.nodeIP = services.hostIP
        settings.podCIDR = config.podCIDR
        settings.nodeName = config.nodeName
        settings.proxyMode = config.proxyMode ?? .iptables
        let serviceController = try ServiceController(settings: settings, layout: config.layout, logger: logger)
        try serviceController.start()
        defer { serviceController.stop() }
        agent.onSync = { state, pods in
            let declared = state.objects.compactMap { item -> Service? in
                guard case .service(var service) = item.object else { return nil }
                if item.file.isEmpty { return service }
                service.metadata.annotations = (service.metadata.annotations ?? [:]).merging([StaticPods.sourceAnnotation: item.file]) { $1 }
                return service
            }
            let start = DispatchTime.now().uptimeNanoseconds
            serviceController.sync(services: declared, pods: pods)
            agent.prometheus?.proxySyncDuration.record(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
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
        // Reset never pulls: the registry settings are not read.
        let services = try makeServices(config, registry: RegistryOptions(), logger: logger)
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
        // Containers and sandboxes whose pod record is gone.
        OrphanSweep(services: services).run(knownPods: [])
        try? FileManager.default.removeItem(atPath: layout.podsDir)
        try? FileManager.default.removeItem(atPath: layout.containersDir)
        // The controllers start over: their pods are gone.
        for path in [WorkloadSync.stateFile(layout), WorkloadSync.requestsDir(layout), layout.root + "/events"] {
            try? FileManager.default.removeItem(atPath: path)
        }
        logger.info("removed \(workers.count) pods")
    }
}

extension AgentRunner {
    /// The node's services from its configuration: CNI network, image store (pulling with
    /// `registry`), monitored runtime.
    static func makeServices(_ config: AgentConfiguration, registry: RegistryOptions, logger: Logger) throws -> NodeServices {
        let layout = config.layout
        for dir in [layout.root, layout.runDir, layout.logDir, layout.podsDir, layout.containersDir] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let executableDir = (MonitorLauncher.currentExecutable() as NSString).deletingLastPathComponent
        let network = try CNIPodNetwork.load(
            confDir: config.cniConfDir, pluginDirs: [config.cniBinDir, executableDir, "/usr/lib/cni"],
            podCIDR: config.podCIDR, dataDir: layout.root + "/cni/networks", cacheDir: layout.cniCacheDir, logger: logger)
        let store = try ImageStore(root: layout.imagesRoot, logger: logger)
        let runtime = MonitoredContainerRuntime(layout: layout, launcher: MonitorLauncher(runtimeRoot: layout.runtimeRoot), logger: logger)
        let nodeResolvConf = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        return NodeServices(
            layout: layout, nodeName: config.nodeName, hostIP: gatewayIP(of: config.podCIDR), cgroupParent: config.cgroupParent,
            clusterDNS: config.clusterDNS, nodeResolvConf: nodeResolvConf, containers: runtime, network: network,
            images: StoreImageProvider(store: store, registry: registry), logger: logger)
    }

    /// The node's address as pods see it: the bridge gateway, the pod CIDR's first address.
    static func gatewayIP(of cidr: String) -> String? {
        IPv4Prefix(cidr).map { $0.hosts.lowerBound.description }
    }
}
