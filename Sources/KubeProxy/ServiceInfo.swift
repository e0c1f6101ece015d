/// A Service as the proxy sees it: the kubelet maps its API objects to this small model, so
/// KubeProxy depends on nothing but its own types.
public struct ServiceInfo: Sendable, Hashable {
    /// `spec.type`; ExternalName Services are never handed to the proxy.
    public enum ServiceType: String, Sendable, Hashable {
        case clusterIP = "ClusterIP"
        case nodePort = "NodePort"
        case loadBalancer = "LoadBalancer"
    }

    public var namespace: String
    public var name: String
    public var type: ServiceType
    /// The Service's virtual IP (`spec.clusterIP`); nil means headless (DNS only, no rules).
    public var clusterIP: String?
    public var ports: [ServicePortInfo]
    public var sessionAffinity: SessionAffinity
    /// `spec.externalIPs`.
    public var externalIPs: [String]
    /// `status.loadBalancer.ingress[].ip`.
    public var loadBalancerIngressIPs: [String]

    public init(
        namespace: String, name: String, type: ServiceType = .clusterIP, clusterIP: String?,
        ports: [ServicePortInfo], sessionAffinity: SessionAffinity = .none,
        externalIPs: [String] = [], loadBalancerIngressIPs: [String] = []
    ) {
        self.namespace = namespace
        self.name = name
        self.type = type
        self.clusterIP = clusterIP
        self.ports = ports
        self.sessionAffinity = sessionAffinity
        self.externalIPs = externalIPs
        self.loadBalancerIngressIPs = loadBalancerIngressIPs
    }

    public var serviceName: ServiceName { ServiceName(namespace: namespace, name: name) }

    /// A Service without a virtual IP (headless: the kubelet passes KubeAPI's
    /// `ServiceSpec.virtualIP`, nil for `clusterIP: None`) gets DNS records only, no rules.
    public var isHeadless: Bool { clusterIP == nil }
}

/// One entry of `spec.ports`. The target port is resolved per endpoint (a named targetPort can
/// map to different container ports on different pods), so it lives in `EndpointInfo.ports`.
public struct ServicePortInfo: Sendable, Hashable {
    /// `ports[].name`; empty for a Service's single unnamed port.
    public var name: String
    public var `protocol`: ServiceProtocol
    public var port: Int
    /// `ports[].nodePort` for NodePort and LoadBalancer Services.
    public var nodePort: Int?

    public init(name: String = "", protocol: ServiceProtocol = .tcp, port: Int, nodePort: Int? = nil) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.nodePort = nodePort
    }
}

/// `ports[].protocol`.
public enum ServiceProtocol: String, Sendable, Hashable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"

    /// The lower-case name iptables matches on and kube-proxy hashes into chain names.
    public var iptablesName: String { rawValue.lowercased() }
}

/// `spec.sessionAffinity` with `sessionAffinityConfig.clientIP.timeoutSeconds`.
public enum SessionAffinity: Sendable, Hashable {
    case none
    case clientIP(timeoutSeconds: Int)

    /// The API default for `clientIP.timeoutSeconds` (3 hours).
    public static let defaultTimeoutSeconds = 10800
}

/// A Service's namespace and name, the key endpoints are grouped by.
public struct ServiceName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(namespace)/\(name)" }

    public static func < (lhs: ServiceName, rhs: ServiceName) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
