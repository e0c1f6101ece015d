import Testing
@testable import Kubelet

@Suite struct PodNetworkFilesTests {
    @Test func hostsNamesThePodOnItsIPAndAddsAliases() {
        let hosts = PodNetworkFiles.hosts(podIP: "10.244.0.7", hostname: "web-node1",
                                          aliases: [(ip: "10.1.2.3", hostnames: ["foo.local", "bar"])])
        #expect(hosts.hasPrefix("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"))
        #expect(hosts.contains("\n10.244.0.7\tweb-node1\n"))
        #expect(hosts.hasSuffix("# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar\n"))
    }

    @Test func clusterFirstSearchesTheNamespaceFirstWithNdots5() {
        let conf = PodNetworkFiles.clusterFirstResolvConf(
            namespace: "shop", clusterDNS: "10.96.0.10", nodeResolvConf: "nameserver 1.1.1.1\nsearch corp.example\n")
        #expect(conf == """
            search shop.svc.cluster.local svc.cluster.local cluster.local corp.example
            nameserver 10.96.0.10
            options ndots:5

            """)
    }

    @Test func withoutClusterDNSTheNodeResolvConfApplies() {
        let node = "nameserver 192.0.2.53\n"
        #expect(PodNetworkFiles.clusterFirstResolvConf(namespace: "default", clusterDNS: nil, nodeResolvConf: node) == node)
    }
}
