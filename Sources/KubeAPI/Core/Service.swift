/// A stable virtual IP and DNS name in front of the pods a selector picks (core/v1 `Service`).
public struct Service: Codable, Sendable, Hashable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Service"
    public var metadata: ObjectMeta
    public var spec: ServiceSpec
    public var status: ServiceStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: ServiceSpec = ServiceSpec(),
        status: ServiceStatus? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// How a Service is exposed.
public struct ServiceType: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let clusterIP: Self = "ClusterIP"
    public static let nodePort: Self = "NodePort"
    public static let loadBalancer: Self = "LoadBalancer"
    public static let externalName: Self = "ExternalName"
    public static let supported: [Self] = [.clusterIP, .externalName, .loadBalancer, .nodePort]
}

/// Whether a client sticks to one backend.
public struct ServiceAffinity: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let clientIP: Self = "ClientIP"
    public static let none: Self = "None"
    public static let supported: [Self] = [.clientIP, .none]
}

/// The desired shape of a Service (core/v1 `ServiceSpec`).
public struct ServiceSpec: Codable, Sendable, Hashable {
    public var ports: [ServicePort]?
    public var selector: [String: String]?
    /// An address, `None` for a headless Service, or empty to allocate one.
    public var clusterIP: String?
    public var clusterIPs: [String]?
    public var type: ServiceType?
    public var externalIPs: [String]?
    public var sessionAffinity: ServiceAffinity?
    public var loadBalancerIP: String?
    public var externalName: String?
    public var externalTrafficPolicy: String?
    public var internalTrafficPolicy: String?
    public var publishNotReadyAddresses: Bool?
    public var sessionAffinityConfig: SessionAffinityConfig?
    public var ipFamilies: [String]?
    public var ipFamilyPolicy: String?
    public var allocateLoadBalancerNodePorts: Bool?

    public init(
        ports: [ServicePort]? = nil,
        selector: [String: String]? = nil,
        clusterIP: String? = nil,
        clusterIPs: [String]? = nil,
        type: ServiceType? = nil,
        externalIPs: [String]? = nil,
        sessionAffinity: ServiceAffinity? = nil,
        loadBalancerIP: String? = nil,
        externalName: String? = nil,
        externalTrafficPolicy: String? = nil,
        internalTrafficPolicy: String? = nil,
        publishNotReadyAddresses: Bool? = nil,
        sessionAffinityConfig: SessionAffinityConfig? = nil,
        ipFamilies: [String]? = nil,
        ipFamilyPolicy: String? = nil,
        allocateLoadBalancerNodePorts: Bool? = nil
    ) {
        self.ports = ports
        self.selector = selector
        self.clusterIP = clusterIP
        self.clusterIPs = clusterIPs
        self.type = type
        self.externalIPs = externalIPs
        self.sessionAffinity = sessionAffinity
        self.loadBalancerIP = loadBalancerIP
        self.externalName = externalName
        self.externalTrafficPolicy = externalTrafficPolicy
        self.internalTrafficPolicy = internalTrafficPolicy
        self.publishNotReadyAddresses = publishNotReadyAddresses
        self.sessionAffinityConfig = sessionAffinityConfig
        self.ipFamilies = ipFamilies
        self.ipFamilyPolicy = ipFamilyPolicy
        self.allocateLoadBalancerNodePorts = allocateLoadBalancerNodePorts
    }

    /// The `clusterIP` that asks for a headless Service.
    public static let headlessClusterIP = "None"

    /// Whether this is a headless Service (`clusterIP: None`), served by DNS only. The one
    /// place that decides it: allocation, validation, the proxy and DNS all read this or
    /// `virtualIP`.
    public var isHeadless: Bool { clusterIP == Self.headlessClusterIP }

    /// The virtual IP `clusterIP` names: nil when it is unset, empty (not allocated yet) or
    /// `None` (headless). The proxy and the cluster DNS get this, so nil means headless there.
    public var virtualIP: String? {
        guard let clusterIP, !clusterIP.isEmpty, !isHeadless else { return nil }
        return clusterIP
    }
}

/// One port a Service exposes and where it forwards.
public struct ServicePort: Codable, Sendable, Hashable {
    public var name: String?
    public var `protocol`: PortProtocol?
    public var appProtocol: String?
    public var port: Int
    /// A number, or the name of a container port.
    public var targetPort: IntOrString?
    public var nodePort: Int?

    public init(
        name: String? = nil,
        `protocol`: PortProtocol? = nil,
        appProtocol: String? = nil,
        port: Int,
        targetPort: IntOrString? = nil,
        nodePort: Int? = nil
    ) {
        self.name = name
        self.`protocol` = `protocol`
        self.appProtocol = appProtocol
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
    }
}

/// Session affinity settings.
public struct SessionAffinityConfig: Codable, Sendable, Hashable {
    public var clientIP: ClientIPConfig?

    public init(clientIP: ClientIPConfig? = nil) {
        self.clientIP = clientIP
    }
}

/// How long a client sticks to a backend (default 10800 s).
public struct ClientIPConfig: Codable, Sendable, Hashable {
    public var timeoutSeconds: Int?

    public init(timeoutSeconds: Int? = nil) {
        self.timeoutSeconds = timeoutSeconds
    }
}

/// What was observed of a Service.
public struct ServiceStatus: Codable, Sendable, Hashable {
    public var loadBalancer: LoadBalancerStatus?

    public init(loadBalancer: LoadBalancerStatus? = nil) {
        self.loadBalancer = loadBalancer
    }
}

/// The addresses a load balancer serves a Service on.
public struct LoadBalancerStatus: Codable, Sendable, Hashable {
    public var ingress: [LoadBalancerIngress]?

    public init(ingress: [LoadBalancerIngress]? = nil) {
        self.ingress = ingress
    }
}

/// One load balancer address.
public struct LoadBalancerIngress: Codable, Sendable, Hashable {
    public var ip: String?
    public var hostname: String?
    public var ipMode: String?

    public init(
        ip: String? = nil,
        hostname: String? = nil,
        ipMode: String? = nil
    ) {
        self.ip = ip
        self.hostname = hostname
        self.ipMode = ipMode
    }
}
