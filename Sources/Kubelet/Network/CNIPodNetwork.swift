import CNI
import Foundation
import Logging

/// The pod network through CNI: the default network of the config directory (the agent
/// writes a swiftlet-bridge conflist there when it holds none), read again for each pod as
/// the kubelet's runtime does, so a network added or changed while the agent runs serves
/// the next pod. ADD on sandbox creation, DEL on removal, with the CNI_ARGS a kubelet passes.
public struct CNIPodNetwork: PodNetwork {
    public let client: CNIClient
    public let directory: ConfigDirectory
    let logger: Logger

    public init(client: CNIClient, directory: ConfigDirectory, logger: Logger) {
        self.client = client
        self.directory = directory
        self.logger = logger
    }

    /// The network in `confDir`, first writing a swiftlet-bridge conflist for `podCIDR` when
    /// the directory has no network; throws when no file there loads.
    public static func load(confDir: String, pluginDirs: [String], podCIDR: String, dataDir: String, cacheDir: String, logger: Logger) throws -> CNIPodNetwork {
        let directory = ConfigDirectory(path: confDir)
        if ((try? directory.files()) ?? []).isEmpty {
            try FileManager.default.createDirectory(atPath: confDir, withIntermediateDirectories: true)
            let list = NetworkConfigList.swiftletBridge(name: "swiftlet", bridge: "swiftlet0", subnet: podCIDR, dataDir: dataDir)
            let path = confDir + "/10-swiftlet.conflist"
            try AtomicFile.write(Data(list.json.serialized(indent: 2).utf8), to: path)
            logger.info("wrote the default CNI network \(path) for \(podCIDR)")
        }
        _ = try directory.defaultNetwork()
        return CNIPodNetwork(client: CNIClient(pluginDirs: pluginDirs, cacheDir: cacheDir, logger: logger), directory: directory, logger: logger)
    }

    func runtime(podUID: String, namespace: String, name: String, netns: String) -> RuntimeConf {
        RuntimeConf(containerID: podUID, netNS: netns, ifName: "eth0", args: [
            ("IgnoreUnknown", "1"), ("K8S_POD_NAMESPACE", namespace), ("K8S_POD_NAME", name),
            ("K8S_POD_INFRA_CONTAINER_ID", podUID), ("K8S_POD_UID", podUID),
        ])
    }

    public func setUp(podUID: String, namespace: String, name: String, netns: String) throws -> String {
        let network = try directory.defaultNetwork()
        try NetworkNamespace.bringLoopbackUp(netnsPath: netns)
        let result = try client.add(network: network, runtime: runtime(podUID: podUID, namespace: namespace, name: name, netns: netns))
        guard let address = result.sandboxAddresses.first else {
            throw KubeletError("CNI network \(network.name) gave the pod no IPv4 address")
        }
        return address.address.description
    }

    /// DEL with the network the pod's ADD used (from the result cache), else the current one.
    public func tearDown(podUID: String, namespace: String, name: String, netns: String) {
        let conf = runtime(podUID: podUID, namespace: namespace, name: name, netns: netns)
        do {
            let network = try client.cache.network(containerID: conf.containerID, ifName: conf.ifName) ?? directory.defaultNetwork()
            try client.del(network: network, runtime: conf)
        } catch {
            logger.warning("CNI DEL for pod \(namespace)/\(name): \(error)")
        }
    }
}
