import NetAddress

/// Checks and selections both proxy backends (iptables and nftables) apply to a Service
/// before generating its rules.
enum ServiceChecks {
    /// The first invalid field of `service`; nil when it is valid.
    static func problem(in service: ServiceInfo) -> String? {
        if let ip = service.clusterIP, IPv4Address(ip) == nil { return "spec.clusterIP \"\(ip)\" is not an IPv4 address" }
        for ip in service.externalIPs where IPv4Address(ip) == nil {
            return "spec.externalIPs \"\(ip)\" is not an IPv4 address"
        }
        for ip in service.loadBalancerIngressIPs where IPv4Address(ip) == nil {
            return "status.loadBalancer.ingress ip \"\(ip)\" is not an IPv4 address"
        }
        var names = Set<String>()
        for (i, port) in service.ports.enumerated() {
            if !names.insert(port.name).inserted { return "spec.ports[\(i)].name \"\(port.name)\" is duplicated" }
            if !(1...65535).contains(port.port) { return "spec.ports[\(i)].port \(port.port) is out of range 1-65535" }
            if let nodePort = port.nodePort, !(1...65535).contains(nodePort) {
                return "spec.ports[\(i)].nodePort \(nodePort) is out of range 1-65535"
            }
        }
        if case .clientIP(let timeout) = service.sessionAffinity, timeout < 1 {
            return "spec.sessionAffinityConfig.clientIP.timeoutSeconds \(timeout) must be positive"
        }
        return nil
    }

    /// Ready endpoints serving `portName`, deduplicated and in address order.
    static func backends(_ endpoints: [EndpointInfo], portName: String) -> [(ip: String, endpoint: String)] {
        var seen = Set<String>()
        var result: [(key: (UInt32, Int), ip: String, endpoint: String)] = []
        for ep in endpoints {
            guard let port = ep.ports[portName], (1...65535).contains(port) else { continue }
            let endpoint = "\(ep.ip):\(port)"
            if seen.insert(endpoint).inserted {
                result.append(((IPv4Address(ep.ip)?.value ?? 0, port), ep.ip, endpoint))
            }
        }
        return result.sorted { $0.key < $1.key }.map { ($0.ip, $0.endpoint) }
    }

    /// `ips` without repeats, first occurrence kept.
    static func unique(_ ips: [String]) -> [String] {
        var seen = Set<String>()
        return ips.filter { seen.insert($0).inserted }
    }

    /// The service port's name as kube-proxy writes it in comments and hashes into chain
    /// names: "ns/name" for an unnamed port, else "ns/name:port".
    static func servicePortName(_ service: ServiceInfo, _ port: ServicePortInfo) -> String {
        port.name.isEmpty ? "\(service.namespace)/\(service.name)" : "\(service.namespace)/\(service.name):\(port.name)"
    }
}
