import Foundation
import Testing

@testable import KubeProxy

/// Generated nf_tables rulesets, in nft syntax, compared with golden files in Golden/*.nft. To
/// regenerate after an intended change: `SWIFTLET_UPDATE_GOLDEN=1 swift test --filter
/// NFTablesGeneratorGolden`, then review the diff.
@Suite struct NFTablesGeneratorGoldenTests {
    static let options = GoldenFixtures.options
    func check(_ name: String, _ services: [ServiceInfo], _ endpoints: [ServiceName: [EndpointInfo]],
               options: ProxyOptions = options, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try GoldenFixtures.check("\(name).nft", services, endpoints, sourceLocation: sourceLocation) {
            let generated = NFTablesGenerator(options: options).generate(services: $0, endpoints: $1)
            return (generated.ruleset.nftText(), generated.problems)
        }
    }

    @Test func clusterIP() throws {
        try check("clusterip", [web(ports: [ServicePortInfo(name: "http", port: 80)])], pods(["http": 8080]))
    }

    @Test func udpAndTCPOnOnePort() throws {
        let dns = ServiceInfo(namespace: "kube-system", name: "kube-dns", clusterIP: "10.96.0.10", ports: [
            ServicePortInfo(name: "dns", protocol: .udp, port: 53),
            ServicePortInfo(name: "dns-tcp", protocol: .tcp, port: 53),
        ])
        let eps = [ServiceName(namespace: "kube-system", name: "kube-dns"): [EndpointInfo(ip: "10.244.0.2", ports: ["dns": 53, "dns-tcp": 53])]]
        try check("udp", [dns], eps)
    }

    @Test func loadBalancerWithNodePortAndExternalIP() throws {
        try check("loadbalancer", [web(.loadBalancer, ports: [ServicePortInfo(name: "http", port: 80, nodePort: 31080)],
                                       externalIPs: ["192.168.50.20"], loadBalancer: ["192.168.50.10"])],
                  pods(["http": 8080], count: 2))
    }

    @Test func sessionAffinity() throws {
        try check("affinity", [web(ports: [ServicePortInfo(name: "http", port: 80)], affinity: .clientIP(timeoutSeconds: 600))],
                  pods(["http": 8080], count: 2))
    }

    @Test func noEndpointsAndNotReady() throws {
        let empty = ServiceInfo(namespace: "default", name: "empty", type: .nodePort, clusterIP: "10.96.0.22",
                                ports: [ServicePortInfo(name: "http", port: 80, nodePort: 30080)], externalIPs: ["192.168.50.20"])
        var eps = pods(["http": 8080], count: 3, notReady: [2])
        eps[ServiceName(namespace: "default", name: "empty")] = [EndpointInfo(ip: "10.244.0.30", ports: ["http": 80], ready: false)]
        try check("no-endpoints", [web(ports: [ServicePortInfo(name: "http", port: 80)]), empty], eps)
    }

    @Test func masqueradeAllAndNodePortAddresses() throws {
        try check("masquerade-all", [web(.nodePort, ports: [ServicePortInfo(name: "http", port: 80, nodePort: 30080)])],
                  pods(["http": 8080], count: 1),
                  options: ProxyOptions(masqueradeAll: true, nodePortAddresses: ["192.168.50.10"], randomFully: true))
    }

    @Test func invalidServiceIsSkippedWithOneLine() {
        let bad = ServiceInfo(namespace: "default", name: "bad", clusterIP: "10.96.0.300", ports: [ServicePortInfo(port: 80)])
        let generated = NFTablesGenerator().generate(services: [bad, web(ports: [ServicePortInfo(port: 80)])], endpoints: pods(["": 80]))
        #expect(generated.problems == ["service default/bad: spec.clusterIP \"10.96.0.300\" is not an IPv4 address; skipped"])
        #expect(generated.ruleset.tables.flatMap(\.elements).map(\.map) == [NFTablesGenerator.serviceIPs])
    }
}
