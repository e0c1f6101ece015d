/// A Service's ports and, for each, the ready endpoints (`ip:targetPort`) behind it: what
/// an Ingress backend resolves to.
public struct ServiceTargets: Sendable, Hashable {
    public struct Port: Sendable, Hashable {
        public var name: String?
        public var port: Int
        /// `ip:port` of each ready endpoint.
        public var endpoints: [String]
        public init(name: String?, port: Int, endpoints: [String]) {
            self.name = name
            self.port = port
            self.endpoints = endpoints
        }
    }

    public var ports: [Port]
    public init(ports: [Port]) { self.ports = ports }

    /// The endpoints of the port a backend names (by number or by name); empty if none.
    public func endpoints(for port: IngressSpec.ServicePort) -> [String] {
        switch port {
        case .number(let number): ports.first { $0.port == number }?.endpoints ?? []
        case .name(let name): ports.first { $0.name == name }?.endpoints ?? []
        }
    }
}

/// A Service by namespace and name.
public struct ServiceName: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }
}
