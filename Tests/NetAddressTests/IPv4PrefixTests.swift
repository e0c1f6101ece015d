import NetAddress
import Testing

/// CIDR text: subnets, interface addresses, the service and cluster ranges.
@Suite struct IPv4PrefixTests {
    @Test func parsesAddressAndLength() {
        let prefix = IPv4Prefix("10.244.0.5/24")
        #expect(prefix?.address == IPv4Address("10.244.0.5"))
        #expect(prefix?.length == 24)
        #expect(prefix?.description == "10.244.0.5/24")
        #expect(IPv4Prefix("0.0.0.0/0")?.length == 0)
        #expect(IPv4Prefix("1.2.3.4/32")?.length == 32)
        #expect(IPv4Prefix("1.2.3.4/9")?.length == 9)
    }

    @Test(arguments: [
        "10.0.0.0/33", "10.0.0.0/99", "10.0.0.0/100", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/", "10.0.0.0",
        "/8", "10.0.0.0//8", "10.0.0.0/8/8", "10.0.0.256/8", "1.2.3/8", "010.0.0.0/8", "10.0.0.0/8 ", "10.0.0.0/ 8",
        "10.0.0.0/x", "10.0.0.0/８", "",
    ])
    func textThatIsNotAnAddressSlashLengthIsRefused(_ text: String) {
        #expect(IPv4Prefix(text) == nil)
    }

    /// iptables reads a prefix length with strtoul base 0: "/010" would be a /8 there.
    @Test(arguments: ["10.0.0.0/08", "10.0.0.0/010", "10.0.0.0/00", "10.0.0.0/032"])
    func lengthsWithALeadingZeroAreRefused(_ text: String) {
        #expect(IPv4Prefix(text) == nil)
    }

    @Test func networkBroadcastAndMask() {
        let prefix = IPv4Prefix("10.244.1.77/23")!
        #expect(prefix.mask == 0xFFFF_FE00)
        #expect(prefix.network == IPv4Address("10.244.0.0"))
        #expect(prefix.broadcast == IPv4Address("10.244.1.255"))
        #expect(prefix.masked == IPv4Prefix("10.244.0.0/23"))
        #expect(IPv4Prefix("1.2.3.4/32")!.mask == 0xFFFF_FFFF)
        #expect(IPv4Prefix("1.2.3.4/0")!.mask == 0)
        #expect(IPv4Prefix("1.2.3.4/0")!.network == IPv4Address(0))
        #expect(IPv4Prefix("1.2.3.4/0")!.broadcast == IPv4Address(0xFFFF_FFFF))
    }

    @Test func containment() {
        let ten = IPv4Prefix("10.0.0.0/8")!
        #expect(ten.contains(IPv4Address("10.0.0.0")!))
        #expect(ten.contains(IPv4Address("10.255.255.255")!))
        #expect(ten.contains(IPv4Address("10.96.0.10")!))
        #expect(!ten.contains(IPv4Address("11.0.0.0")!))
        #expect(!ten.contains(IPv4Address("9.255.255.255")!))
        // Host bits in the prefix's own address do not matter.
        #expect(IPv4Prefix("10.96.3.4/16")!.contains(IPv4Address("10.96.200.1")!))
        let all = IPv4Prefix("0.0.0.0/0")!
        #expect(all.contains(IPv4Address(0)) && all.contains(IPv4Address(0xFFFF_FFFF)) && all.contains(IPv4Address("172.16.0.1")!))
        let one = IPv4Prefix("192.168.1.1/32")!
        #expect(one.contains(IPv4Address("192.168.1.1")!) && !one.contains(IPv4Address("192.168.1.2")!))
    }

    @Test func hostsLeaveOutNetworkAndBroadcast() {
        let slash30 = IPv4Prefix("10.96.0.4/30")!
        #expect(slash30.hosts.map(\.description) == ["10.96.0.5", "10.96.0.6"])
        let slash24 = IPv4Prefix("10.244.0.0/24")!.hosts
        #expect(slash24.count == 254)
        #expect(slash24.first == IPv4Address("10.244.0.1") && slash24.last == IPv4Address("10.244.0.254"))
        // Point-to-point and single-host prefixes have no network or broadcast address to skip.
        #expect(IPv4Prefix("10.0.0.2/31")!.hosts.map(\.description) == ["10.0.0.2", "10.0.0.3"])
        #expect(IPv4Prefix("255.255.255.255/32")!.hosts.map(\.description) == ["255.255.255.255"])
        #expect(IPv4Prefix("0.0.0.0/0")!.hosts.count == (1 << 32) - 2)
    }
}
