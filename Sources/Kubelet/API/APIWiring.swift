import APIStore
import Foundation
import KubeAPIServer
import Logging

/// The Kubernetes API inside the agent: the store under `<root>/api`, the credentials and
/// admin kubeconfig, the HTTPS server, and the agent's reading and publishing of objects.
enum APIWiring {
    final class Running {
        let server: APIServer
        let ingress: IngressSync?
        init(server: APIServer, ingress: IngressSync?) {
            self.server = server
            self.ingress = ingress
        }
        func stop() {
            ingress?.stop()
            server.stop()
        }
    }

    /// Starts the API unless `--api-address none`; nil then.
    static func start(_ config: AgentConfiguration, services: NodeServices, agent: NodeAgent, logger: Logger) throws -> Running? {
        let address = config.apiAddress ?? AgentConfiguration.defaultAPIAddress
        if address == "none" { return nil }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw KubeletError("--api-address must be HOST:PORT: \(address)")
        }
        let host = String(address[..<colon])
        let store = try ResourceStore(directory: storeDirectory(root: config.root))
        try NamespaceDefaults.bootstrap(store)
        let credentials = try APICredentials.loadOrCreate(root: config.root, addresses: [host, services.hostIP ?? ""])
        let server = "https://\(host):\(port)"
        try AtomicFile.write(Data(credentials.kubeconfig(server: server).utf8), to: APICredentials.kubeconfigPath(root: config.root), mode: 0o600)
        let router = APIRouter(store: store, credentials: credentials, node: APIPodStreams(layout: services.layout), serverAddress: "\(host):\(port)", logger: logger)
        router.onWrite = { [weak agent] in agent?.wake?() }
        let api = APIServer(router: router, credentials: credentials, logger: logger)
        try api.start(host: host, port: port)
        agent.prometheus = router.prometheus
        agent.api = APIObjectSync(store: store, nodeName: config.nodeName, logger: logger)
        let ingress = IngressSync.start(config, store: store, certificatePEM: credentials.serverCertificatePEM,
                                        keyPEM: credentials.serverKeyPEM, nodeIP: services.hostIP, logger: logger)
        agent.ingress = ingress
        agent.metrics = (ResourceMetricsSampler(cgroupParent: config.cgroupParent, nodeName: config.nodeName, interval: config.metricsResolution),
                         router.metrics, AutoscalerSync(store: store, logger: logger))
        let node = NodeObject.make(name: config.nodeName, address: services.hostIP, podCIDR: config.podCIDR, maxPods: 110, started: Date())
        try store.write(StoreKey(resource: "nodes", namespace: "", name: config.nodeName)) { current in
            var node = node
            node[path: ["metadata", "uid"]] = current?[path: ["metadata", "uid"]] ?? .string(UUID().uuidString.lowercased())
            node[path: ["metadata", "creationTimestamp"]] = current?[path: ["metadata", "creationTimestamp"]] ?? node[path: ["metadata", "creationTimestamp"]]
            return node
        }
        return Running(server: api, ingress: ingress)
    }

    /// `<root>/api`: the store's files.
    static func storeDirectory(root: String) -> String { root + "/api" }
}
