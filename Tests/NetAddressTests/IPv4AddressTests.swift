import NetAddress
import Testing

/// Dotted-quad text as the CNI plugin, the proxy and the kubelet read and write it.
@Suite struct IPv4AddressTests {
    @Test func dottedQuadsParseToTheirNumber() {
        #expect(IPv4Address("10.96.0.1")?.value == 0x0A60_0001)
        #expect(IPv4Address("255.255.255.255")?.value == 0xFFFF_FFFF)
        #expect(IPv4Address("0.0.0.0")?.value == 0)
        #expect(IPv4Address("1.20.255.0")?.value == 0x0114_FF00)
        // Text sliced out of a larger string (CNI_ARGS "IP=a,b") parses the same.
        let args = "10.244.0.5,10.244.0.6"
        #expect(args.split(separator: ",").compactMap { IPv4Address($0) } == [IPv4Address(0x0AF4_0005), IPv4Address(0x0AF4_0006)])
    }

    @Test(arguments: [
        "10.0.0.256", "256.0.0.0", "999.1.1.1", "1.2.3", "10.96.0", "1.2.3.4.5", "10..0.1", ".1.2.3", "1.2.3.",
        "a.b.c.d", "1.2.3.x", "", "10.96.0.1 ", " 10.96.0.1", "10.96.0.1\n", "::1", "10.96.0.1/32", "+1.2.3.4",
        "-1.2.3.4", "1.2.3.4a", "1.2.3.1000", "１.2.3.4",
    ])
    func textThatIsNotExactlyFourOctetsIsRefused(_ text: String) {
        #expect(IPv4Address(text) == nil)
    }

    /// inet_aton and iptables read "010" as octal 8: the same text would name another address.
    @Test(arguments: ["01.2.3.4", "010.1.1.1", "1.02.3.4", "1.2.03.4", "1.2.3.04", "1.2.3.00", "00.0.0.0", "001.2.3.4"])
    func octetsWithALeadingZeroAreRefused(_ text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test func formatsAsDottedQuadAndRoundTrips() {
        for text in ["0.0.0.0", "10.244.0.5", "192.168.100.200", "255.255.255.255"] {
            #expect(IPv4Address(text)?.description == text)
        }
        #expect("\(IPv4Address(0x0A60_000A))" == "10.96.0.10")
    }

    @Test func bytesAreInNetworkOrder() {
        #expect(IPv4Address("10.244.1.2")?.bytes == [10, 244, 1, 2])
        #expect(IPv4Address(0xFF00_0001).bytes == [255, 0, 0, 1])
    }

    @Test func ordersAndStepsNumerically() {
        let a = IPv4Address("10.0.0.9")!, b = IPv4Address("10.0.0.10")!
        #expect(a < b)
        #expect([b, a].sorted() == [a, b])
        #expect(a.advanced(by: 1) == b && b.advanced(by: -1) == a)
        #expect(IPv4Address("10.0.0.255")!.advanced(by: 1) == IPv4Address("10.0.1.0"))
        #expect(a.distance(to: b) == 1 && b.distance(to: a) == -1)
        #expect(Array(a...b) == [a, b])
    }
}
