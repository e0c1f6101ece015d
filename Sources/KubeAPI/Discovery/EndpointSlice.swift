/// A slice of a Service's backends (discovery.k8s.io/v1 `EndpointSlice`).
public struct EndpointSlice: Codable, Sendable, Hashable {
    public var apiVersion: String? = "discovery.k8s.io/v1"
    public var kind: String? = "EndpointSlice"
    public var metadata: ObjectMeta
    /// `IPv4`, `IPv6` or `FQDN`.
    public var addressType: String
    public var endpoints: [Endpoint]
    public var ports: [EndpointSlicePort]?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        addressType: String,
        endpoints: [Endpoint],
        ports: [EndpointSlicePort]? = nil
    ) {
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }
}

/// One backend of an EndpointSlice.
public struct Endpoint: Codable, Sendable, Hashable {
    public var addresses: [String]
    public var conditions: EndpointConditions?
    public var hostname: String?
    public var targetRef: ObjectReference?
    public var nodeName: String?
    public var zone: String?

    public init(
        addresses: [String],
        conditions: EndpointConditions? = nil,
        hostname: String? = nil,
        targetRef: ObjectReference? = nil,
        nodeName: String? = nil,
        zone: String? = nil
    ) {
        self.addresses = addresses
        self.conditions = conditions
        self.hostname = hostname
        self.targetRef = targetRef
        self.nodeName = nodeName
        self.zone = zone
    }
}

/// Readiness of an EndpointSlice backend.
public struct EndpointConditions: Codable, Sendable, Hashable {
    public var ready: Bool?
    public var serving: Bool?
    public var terminating: Bool?

    public init(
        ready: Bool? = nil,
        serving: Bool? = nil,
        terminating: Bool? = nil
    ) {
        self.ready = ready
        self.serving = serving
        self.terminating = terminating
    }
}

/// A port of an EndpointSlice.
public struct EndpointSlicePort: Codable, Sendable, Hashable {
    public var name: String?
    public var `protocol`: PortProtocol?
    public var port: Int?
    public var appProtocol: String?

    public init(
        name: String? = nil,
        `protocol`: PortProtocol? = nil,
        port: Int? = nil,
        appProtocol: String? = nil
    ) {
        self.name = name
        self.`protocol` = `protocol`
        self.port = port
        self.appProtocol = appProtocol
    }
}
