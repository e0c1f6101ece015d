import Foundation
import Images
import KubeProxy

/// The agent's settings (`swiftlet run` flags). Saved as `<root>/agent.json` so the CLI and
/// `swiftlet reset`, given only `--root`, find the rest.
public struct AgentConfiguration: Codable, Sendable, Equatable {
    public var manifests: String = "/etc/swiftlet/manifests"
    public var root: String = "/var/lib/swiftlet"
    public var runDir: String = "/run/swiftlet"
    public var logDir: String = "/var/log/pods"
    public var nodeName: String = ProcessInfo.processInfo.hostName
    public var podCIDR: String = "10.244.0.0/24"
    public var cniConfDir: String = "/etc/cni/net.d"
    public var cniBinDir: String = "/opt/cni/bin"
    public var cgroupParent: String = "/swiftlet"
    /// Service ClusterIPs come from here.
    public var serviceCIDR: String = "10.96.0.0/16"
    /// The cluster DNS address (the kube-dns Service) that the agent serves and pods get in
    /// resolv.conf; nil leaves pods the node's resolvers.
    public var clusterDNS: String? = "10.96.0.10"
    public var resync: TimeInterval = 10
    /// `--proxy-mode`; nil (configurations saved before it existed) means iptables.
    public var proxyMode: ProxyMode?
    /// How image pulls reach registries (`--insecure-registry`, `--registry-config`,
    /// `--registry-ca`); nil in configurations saved before these existed.
    public var registry: RegistrySettings?
    /// `--api-address`: where the Kubernetes API is served (`host:port`); "none" serves none;
    /// nil in configurations saved before it existed means the default.
    public var apiAddress: String?

    /// `--ingress-http-port`, `--ingress-https-port`: the Ingress controller's listeners on
    /// every node address (0: none); nil in configurations saved before they existed.
    public var ingressHTTPPort: Int?
    public var ingressHTTPSPort: Int?
    /// `--metric-resolution`: seconds between resource metrics samples (metrics-server's
    /// flag; also the HPA controller's sync period); nil means 15.
    public var metricResolution: TimeInterval?

    public var metricsResolution: TimeInterval { metricResolution ?? 15 }

    public static let defaultAPIAddress = "127.0.0.1:6443"
    public static let defaultIngressHTTPPort = 80
    public static let defaultIngressHTTPSPort = 443

    public init() {}

    public var layout: NodeLayout { NodeLayout(root: root, runDir: runDir, logDir: logDir) }

    public func save() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try JSONFile.write(self, to: layout.agentFile)
    }

    /// The configuration saved under `root`, or the defaults with that root.
    public static func load(root: String) -> AgentConfiguration {
        if let saved = JSONFile.read(AgentConfiguration.self, from: root + "/agent.json") { return saved }
        var config = AgentConfiguration()
        config.root = root
        return config
    }
}
