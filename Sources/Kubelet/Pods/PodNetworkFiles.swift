import ClusterDNS
import Foundation

/// The `/etc/hosts` and `/etc/resolv.conf` the kubelet writes for a pod and bind-mounts
/// into each of its containers.
public enum PodNetworkFiles {
    /// The kubelet-managed hosts file: loopback entries, the pod's own name on its IP, and
    /// hostAliases.
    public static func hosts(podIP: String?, hostname: String, subdomainFQDN: String? = nil,
                             aliases: [(ip: String, hostnames: [String])] = []) -> String {
        var lines = [
            "# Kubernetes-managed hosts file.",
            "127.0.0.1\tlocalhost",
            "::1\tlocalhost ip6-localhost ip6-loopback",
            "fe00::0\tip6-localnet",
            "fe00::0\tip6-mcastprefix",
            "fe00::1\tip6-allnodes",
            "fe00::2\tip6-allrouters",
        ]
        if let podIP {
            lines.append(subdomainFQDN.map { "\(podIP)\t\($0)\t\(hostname)" } ?? "\(podIP)\t\(hostname)")
        }
        if !aliases.isEmpty {
            lines.append("")
            lines.append("# Entries added by HostAliases.")
            for alias in aliases {
                lines.append("\(alias.ip)\t\(alias.hostnames.joined(separator: "\t"))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// resolv.conf for dnsPolicy ClusterFirst: the cluster DNS server, the namespace's
    /// search path ahead of the node's, and ndots:5. Without a cluster DNS server the
    /// node's own resolv.conf applies, as upstream falls back to Default.
    public static func clusterFirstResolvConf(namespace: String, clusterDNS: String?, clusterDomain: String = "cluster.local",
                                              nodeResolvConf: String) -> String {
        guard let clusterDNS else { return nodeResolvConf }
        let node = ResolvConf(parsing: nodeResolvConf)
        let search = ["\(namespace).svc.\(clusterDomain)", "svc.\(clusterDomain)", clusterDomain] + node.search
        return """
            search \(search.joined(separator: " "))
            nameserver \(clusterDNS)
            options ndots:5

            """
    }
}
