import ArgumentParser
import Foundation
import KubeProxy
import Kubelet
import Logging
import NetAddress

/// `swiftlet run`: the node agent.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the node agent: keep the pods of the manifest directory running.")

    @Option(help: "The watched manifest directory.") var manifests: String = "/etc/swiftlet/manifests"
    @Option(help: "The node's state directory.") var root: String = "/var/lib/swiftlet"
    @Option(help: "The node's name (default: the hostname).") var nodeName: String?
    @Option(help: "The pods' subnet.") var podCidr: String = "10.244.0.0/24"
    @Option(help: "CNI configuration directory; its default network is read again for each new pod.") var cniConfDir: String = "/etc/cni/net.d"
    @Option(help: "CNI plugin directory.") var cniBinDir: String = "/opt/cni/bin"
    @Option(help: "Where container logs go.") var logDir: String = "/var/log/pods"
    @Option(help: "The absolute cgroup under which pods' cgroups go.") var cgroupParent: String = "/swiftlet"
    @Option(help: "Runtime state: pinned namespaces, the OCI runtime's state.") var runDir: String = "/run/swiftlet"
    @Option(help: "Service ClusterIPs come from this range.") var serviceCidr: String = "10.96.0.0/16"
    @Option(help: "The cluster DNS address the agent serves and pods use (\"none\" to leave pods the node's resolvers).") var clusterDns: String = "10.96.0.10"
    @Option(help: "How Services are programmed: iptables (iptables-restore) or nftables (netlink, table ip kube-proxy).") var proxyMode: String = "iptables"
    @Option(help: "Where the Kubernetes API is served over HTTPS (HOST:PORT), or \"none\".") var apiAddress: String = AgentConfiguration.defaultAPIAddress
    @Option(help: "The Ingress controller's HTTP port on the node (0: none).") var ingressHttpPort: Int = AgentConfiguration.defaultIngressHTTPPort
    @Option(help: "The Ingress controller's HTTPS port on the node (0: none).") var ingressHttpsPort: Int = AgentConfiguration.defaultIngressHTTPSPort
    @Option(help: "Seconds between resource metrics samples (metrics.k8s.io, kubectl top); also the HPA controller's sync period.")
    var metricResolution: Double = 15
    @OptionGroup var registry: RegistryArguments

    func validate() throws {
        guard metricResolution >= 1 else { throw ValidationError("--metric-resolution must be at least 1 second: \(metricResolution)") }
        guard cgroupParent.hasPrefix("/") else { throw ValidationError("--cgroup-parent must be absolute: \(cgroupParent)") }
        guard !cgroupParent.split(separator: "/").contains("process_api") else {
            throw ValidationError("--cgroup-parent must not be under process_api")
        }
        guard let pods = IPv4Prefix(podCidr), pods.length <= 30 else {
            throw ValidationError("--pod-cidr must be an IPv4 CIDR of /30 or larger: \(podCidr)")
        }
        guard IPv4Prefix(serviceCidr) != nil else { throw ValidationError("--service-cidr must be an IPv4 CIDR: \(serviceCidr)") }
        guard clusterDns == "none" || IPv4Address(clusterDns) != nil else {
            throw ValidationError("--cluster-dns must be an IPv4 address or \"none\": \(clusterDns)")
        }
        for (flag, port) in [("--ingress-http-port", ingressHttpPort), ("--ingress-https-port", ingressHttpsPort)] where !(0...65535).contains(port) {
            throw ValidationError("\(flag) must be between 0 and 65535: \(port)")
        }
        guard ProxyMode(rawValue: proxyMode) != nil else { throw ValidationError("--proxy-mode must be iptables or nftables: \(proxyMode)") }
    }

    func run() throws {
        var config = AgentConfiguration()
        config.manifests = manifests
        config.root = root
        config.runDir = runDir
        config.logDir = logDir
        if let nodeName { config.nodeName = nodeName }
        config.podCIDR = podCidr
        config.cniConfDir = cniConfDir
        config.cniBinDir = cniBinDir
        config.cgroupParent = cgroupParent
        config.serviceCIDR = serviceCidr
        config.clusterDNS = clusterDns == "none" ? nil : clusterDns
        config.registry = registry.settings
        config.proxyMode = ProxyMode(rawValue: proxyMode)
        config.apiAddress = apiAddress
        config.ingressHTTPPort = ingressHttpPort
        config.ingressHTTPSPort = ingressHttpsPort
        config.metricResolution = metricResolution
        do {
            try AgentRunner.run(config, logger: Logger(label: "swiftlet"))
        } catch {
            FileHandle.standardError.write(Data("swiftlet: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// `swiftlet reset`: stop and remove every pod.
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reset", abstract: "Stop and remove every pod, its network and its state.")

    @OptionGroup var rootOptions: RootOptions

    func run() throws {
        try AgentRunner.reset(root: rootOptions.root, logger: Logger(label: "swiftlet"))
    }
}

/// `swiftlet kubeconfig`: the admin kubeconfig the agent wrote, for `kubectl --kubeconfig`.
struct KubeconfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kubeconfig", abstract: "Print the admin kubeconfig for the node's Kubernetes API.")

    @OptionGroup var rootOptions: RootOptions

    func run() throws {
        let path = rootOptions.root + "/admin.kubeconfig"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            FileHandle.standardError.write(Data("swiftlet: no kubeconfig at \(path): has `swiftlet run --root \(rootOptions.root)` started (with an API address)?\n".utf8))
            throw ExitCode.failure
        }
        print(text, terminator: "")
    }
}
