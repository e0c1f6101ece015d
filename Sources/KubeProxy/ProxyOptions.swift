/// Node-wide settings that shape the generated rules (kube-proxy's flags of the same names).
public struct ProxyOptions: Sendable, Hashable {
    /// `--cluster-cidr`: traffic to a ClusterIP from outside it is masqueraded. Nil disables
    /// that rule, as kube-proxy does without a local-traffic detector.
    public var clusterCIDR: String?
    /// `--masquerade-all`: masquerade every packet to a ClusterIP.
    public var masqueradeAll: Bool
    /// `--iptables-masquerade-bit` as a mark value (kube-proxy's default bit 14 = 0x4000).
    public var masqueradeMark: UInt32
    /// `--nodeport-addresses`: IPs NodePorts answer on; empty means every local address
    /// (`-m addrtype --dst-type LOCAL`).
    public var nodePortAddresses: [String]
    /// Append `--random-fully` to the MASQUERADE rule (the kernel supports it since 3.13).
    public var randomFully: Bool

    public init(
        clusterCIDR: String? = nil, masqueradeAll: Bool = false, masqueradeMark: UInt32 = 0x4000,
        nodePortAddresses: [String] = [], randomFully: Bool = false
    ) {
        self.clusterCIDR = clusterCIDR
        self.masqueradeAll = masqueradeAll
        self.masqueradeMark = masqueradeMark
        self.nodePortAddresses = nodePortAddresses
        self.randomFully = randomFully
    }
}
