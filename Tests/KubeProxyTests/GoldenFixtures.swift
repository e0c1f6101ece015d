import Foundation
import Testing

@testable import KubeProxy

/// Both backends' golden tests: the comparison with a file in Golden/ (rewritten when
/// SWIFTLET_UPDATE_GOLDEN=1), and the Service and pods they generate from (below).
enum GoldenFixtures {
    static let options = ProxyOptions(clusterCIDR: "10.244.0.0/16")

    static func compare(_ text: String, golden file: String, sourceLocation: SourceLocation) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(file)")
        if ProcessInfo.processInfo.environment["SWIFTLET_UPDATE_GOLDEN"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(text == golden, "generated text differs from Golden/\(file)", sourceLocation: sourceLocation)
    }

    /// Generates with `generate` (the ruleset's text and the problems), expects no problems,
    /// and compares the text with `Golden/<golden>`.
    static func check(
        _ golden: String, _ services: [ServiceInfo], _ endpoints: [ServiceName: [EndpointInfo]],
        sourceLocation: SourceLocation,
        generate: ([ServiceInfo], [ServiceName: [EndpointInfo]]) -> (text: String, problems: [String])
    ) throws {
        let generated = generate(services, endpoints)
        #expect(generated.problems.isEmpty, sourceLocation: sourceLocation)
        try compare(generated.text, golden: golden, sourceLocation: sourceLocation)
    }
}

/// The Service `default/web` (ClusterIP 10.96.0.20) the golden tests generate from.
func web(_ type: ServiceInfo.ServiceType = .clusterIP, ports: [ServicePortInfo], affinity: SessionAffinity = .none,
         externalIPs: [String] = [], loadBalancer: [String] = []) -> ServiceInfo {
    ServiceInfo(namespace: "default", name: "web", type: type, clusterIP: "10.96.0.20", ports: ports,
                sessionAffinity: affinity, externalIPs: externalIPs, loadBalancerIngressIPs: loadBalancer)
}

/// `count` pods 10.244.0.11… behind `default/web`, serving `ports`.
func pods(_ ports: [String: Int], count: Int = 3, notReady: Set<Int> = []) -> [ServiceName: [EndpointInfo]] {
    let eps = (1...count).map { i in EndpointInfo(ip: "10.244.0.\(10 + i)", ports: ports, ready: !notReady.contains(i)) }
    return [ServiceName(namespace: "default", name: "web"): eps]
}
