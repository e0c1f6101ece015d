/// One backend of a Service: a pod IP with the container port each service port resolves to.
public struct EndpointInfo: Sendable, Hashable {
    public var ip: String
    /// Target port per service port name (`""` for an unnamed port). A service port missing
    /// here has no backend on this pod, as with EndpointSlice port matching.
    public var ports: [String: Int]
    /// Ready endpoints receive traffic; not-ready ones are left out of the rules.
    public var ready: Bool
    /// The pod runs on this node.
    public var isLocal: Bool

    public init(ip: String, ports: [String: Int], ready: Bool = true, isLocal: Bool = true) {
        self.ip = ip
        self.ports = ports
        self.ready = ready
        self.isLocal = isLocal
    }
}
