/// What the cluster DNS needs to know about one Service: the kubelet maps a v1 Service and
/// its endpoints to this, so the DNS code does not depend on the object model.
public struct DNSServiceRecord: Sendable, Hashable {
    /// A service port; only named ports get `_<name>._<protocol>` SRV records.
    public struct Port: Sendable, Hashable {
        public var name: String
        /// `TCP`, `UDP` or `SCTP`, as in the Service spec.
        public var `protocol`: String
        public var port: Int

        public init(name: String, protocol: String = "TCP", port: Int) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
        }
    }

    /// One endpoint address of the Service.
    public struct Endpoint: Sendable, Hashable {
        public var ip: String
        /// The pod's `spec.hostname` when it set one (with a matching subdomain).
        public var hostname: String?
        public var ready: Bool

        public init(ip: String, hostname: String? = nil, ready: Bool = true) {
            self.ip = ip
            self.hostname = hostname
            self.ready = ready
        }
    }

    public var name: String
    public var namespace: String
    /// The virtual IP; nil for a headless Service (`clusterIP: None`), whose name then
    /// resolves to its ready endpoints.
    public var clusterIP: String?
    /// `spec.externalName` of an ExternalName Service: its name is a CNAME to this.
    public var externalName: String?
    public var ports: [Port]
    public var endpoints: [Endpoint]

    public init(name: String, namespace: String, clusterIP: String?, externalName: String? = nil,
                ports: [Port] = [], endpoints: [Endpoint] = []) {
        self.name = name
        self.namespace = namespace
        self.clusterIP = clusterIP
        self.externalName = externalName
        self.ports = ports
        self.endpoints = endpoints
    }
}
