import Testing

@testable import CNI

@Suite struct HostLocalConfigTests {
    @Test func readsRangesRoutesAndDataDir() throws {
        let config = try HostLocalConfig(
            ipam: JSONValue.parse(
                #"""
                {"type":"host-local","ranges":[[{"subnet":"10.245.4.0/24","rangeStart":"10.245.4.20","rangeEnd":"10.245.4.30","gateway":"10.245.4.254"}]],
                 "routes":[{"dst":"0.0.0.0/0"},{"dst":"192.168.0.0/16","gw":"10.245.4.1"}],"dataDir":"/tmp/x"}
                """#))
        let range = config.rangeSets[0][0]
        #expect(range.subnet.description == "10.245.4.0/24")
        #expect(range.rangeStart.description == "10.245.4.20")
        #expect(range.rangeEnd.description == "10.245.4.30")
        #expect(range.gateway?.description == "10.245.4.254")
        #expect(
            config.routes == [
                CNIResult.Route(dst: "0.0.0.0/0"), CNIResult.Route(dst: "192.168.0.0/16", gw: "10.245.4.1"),
            ])
        #expect(config.dataDir == "/tmp/x")
    }

    @Test func acceptsTheOlderTopLevelSubnetAndDefaultsTheDataDir() throws {
        let config = try HostLocalConfig(ipam: JSONValue.parse(#"{"type":"host-local","subnet":"10.245.5.0/24"}"#))
        #expect(config.rangeSets[0][0].subnet.description == "10.245.5.0/24")
        #expect(config.dataDir == "/var/lib/cni/networks")
    }

    @Test(arguments: [
        (#"{"type":"host-local"}"#, "ipam: no address ranges (set \"ranges\" or \"subnet\")"),
        (
            #"{"ranges":[[{"subnet":"10.245.6.0/33"}]]}"#,
            "ipam.ranges[0][0].subnet must be an IPv4 CIDR, got \"10.245.6.0/33\""
        ),
        (
            #"{"ranges":[[{"subnet":"10.245.6.1/24"}]]}"#,
            "ipam.ranges[0][0].subnet 10.245.6.1/24 has host bits set (use 10.245.6.0/24)"
        ),
        (
            #"{"ranges":[[{"subnet":"10.245.6.0/24","rangeStart":"10.245.7.1"}]]}"#,
            "ipam.ranges[0][0].rangeStart 10.245.7.1 is not a host address of 10.245.6.0/24"
        ),
        (
            #"{"ranges":[[{"subnet":"10.245.6.0/24","rangeEnd":5}]]}"#,
            "ipam.ranges[0][0].rangeEnd must be an IPv4 address, got 5"
        ),
        (#"{"ranges":[]}"#, "ipam.ranges must be a non-empty array of range sets"),
        (#"{"subnet":"10.245.6.0/24","routes":[{"gw":"1.2.3.4"}]}"#, "ipam.routes[0].dst must be a CIDR"),
    ])
    func namesTheBadField(_ json: String, _ message: String) throws {
        let error = #expect(throws: CNIError.self) { try HostLocalConfig(ipam: JSONValue.parse(json)) }
        #expect(error?.code == 7)
        #expect(error?.msg == message)
    }
}
