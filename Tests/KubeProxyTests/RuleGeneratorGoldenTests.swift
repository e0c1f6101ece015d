import Foundation
import Testing

@testable import KubeProxy

/// Generated iptables-restore text compared with golden files in Golden/. To regenerate after an
/// intended change: `SWIFTLET_UPDATE_GOLDEN=1 swift test --filter RuleGeneratorGolden`, then
/// review the diff.
@Suite struct RuleGeneratorGoldenTests {
    static let options = GoldenFixtures.options
    func check(_ name: String, _ services: [ServiceInfo], _ endpoints: [ServiceName: [EndpointInfo]],
               options: ProxyOptions = options, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try GoldenFixtures.check("\(name).rules", services, endpoints, sourceLocation: sourceLocation) {
            let generated = RuleGenerator(options: options).generate(services: $0, endpoints: $1)
            return (generated.ruleset.restoreText(), generated.problems)
        }
    }

    @Test func clusterIP() throws {
        try check("clusterip", [web(ports: [ServicePortInfo(name: "http", port: 80)])], pods(["http": 8080]))
    }

    @Test func multiplePorts() throws {
        try check("multiple-ports", [web(ports: [
            ServicePortInfo(name: "http", port: 80),
            ServicePortInfo(name: "metrics", port: 9090),
        ])], pods(["http": 8080, "metrics": 9100]))
    }

    @Test func udp() throws {
        let dns = ServiceInfo(namespace: "kube-system", name: "kube-dns", clusterIP: "10.96.0.10", ports: [
            ServicePortInfo(name: "dns", protocol: .udp, port: 53),
            ServicePortInfo(name: "dns-tcp", protocol: .tcp, port: 53),
        ])
        let eps = [ServiceName(namespace: "kube-system", name: "kube-dns"): [EndpointInfo(ip: "10.244.0.2", ports: ["dns": 53, "dns-tcp": 53])]]
        try check("udp", [dns], eps)
    }

    @Test func nodePort() throws {
        try check("nodeport", [web(.nodePort, ports: [ServicePortInfo(name: "", port: 80, nodePort: 30080)])], pods(["": 8080], count: 2))
    }

    @Test func loadBalancer() throws {
        try check("loadbalancer", [web(.loadBalancer, ports: [ServicePortInfo(name: "http", port: 80, nodePort: 31080)],
                                       externalIPs: ["192.168.50.20"], loadBalancer: ["192.168.50.10"])],
                  pods(["http": 8080], count: 2))
    }

    @Test func sessionAffinity() throws {
        try check("affinity", [web(ports: [ServicePortInfo(name: "http", port: 80)], affinity: .clientIP(timeoutSeconds: 600))],
                  pods(["http": 8080], count: 2))
    }

    @Test func noEndpoints() throws {
        try check("no-endpoints", [web(.nodePort, ports: [ServicePortInfo(name: "http", port: 80, nodePort: 30080)],
                                       externalIPs: ["192.168.50.20"])], [:])
    }

    @Test func notReadyEndpointsExcluded() throws {
        try check("not-ready", [web(ports: [ServicePortInfo(name: "http", port: 80)])], pods(["http": 8080], count: 3, notReady: [2]))
    }

    @Test func masqueradeAllAndNodePortAddresses() throws {
        try check("masquerade-all", [web(.nodePort, ports: [ServicePortInfo(name: "http", port: 80, nodePort: 30080)])],
                  pods(["http": 8080], count: 1),
                  options: ProxyOptions(masqueradeAll: true, nodePortAddresses: ["192.168.50.10"], randomFully: true))
    }
}
