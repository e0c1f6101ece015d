/// The backends of a Service: ready and not-ready addresses with ports (core/v1 `Endpoints`).
public struct Endpoints: Codable, Sendable, Hashable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "Endpoints"
    public var metadata: ObjectMeta
    public var subsets: [EndpointSubset]?

    public init(metadata: ObjectMeta = ObjectMeta(), subsets: [EndpointSubset]? = nil) {
        self.metadata = metadata
        self.subsets = subsets
    }
}

/// A set of addresses sharing the same ports.
public struct EndpointSubset: Codable, Sendable, Hashable {
    public var addresses: [EndpointAddress]?
    public var notReadyAddresses: [EndpointAddress]?
    public var ports: [EndpointPort]?

    public init(
        addresses: [EndpointAddress]? = nil,
        notReadyAddresses: [EndpointAddress]? = nil,
        ports: [EndpointPort]? = nil
    ) {
        self.addresses = addresses
        self.notReadyAddresses = notReadyAddresses
        self.ports = ports
    }
}

/// One backend address, usually a pod's IP.
public struct EndpointAddress: Codable, Sendable, Hashable {
    public var ip: String
    public var hostname: String?
    public var nodeName: String?
    public var targetRef: ObjectReference?

    public init(
        ip: String,
        hostname: String? = nil,
        nodeName: String? = nil,
        targetRef: ObjectReference? = nil
    ) {
        self.ip = ip
        self.hostname = hostname
        self.nodeName = nodeName
        self.targetRef = targetRef
    }
}

/// One backend port.
public struct EndpointPort: Codable, Sendable, Hashable {
    public var name: String?
    public var port: Int
    public var `protocol`: PortProtocol?
    public var appProtocol: String?

    public init(
        name: String? = nil,
        port: Int,
        `protocol`: PortProtocol? = nil,
        appProtocol: String? = nil
    ) {
        self.name = name
        self.port = port
        self.`protocol` = `protocol`
        self.appProtocol = appProtocol
    }
}

/// A reference to any object (core/v1 `ObjectReference`).
public struct ObjectReference: Codable, Sendable, Hashable {
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var apiVersion: String?
    public var resourceVersion: String?
    public var fieldPath: String?

    public init(
        kind: String? = nil,
        namespace: String? = nil,
        name: String? = nil,
        uid: String? = nil,
        apiVersion: String? = nil,
        resourceVersion: String? = nil,
        fieldPath: String? = nil
    ) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.apiVersion = apiVersion
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }
}
