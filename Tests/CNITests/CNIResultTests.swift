import NetAddress
import Testing

@testable import CNI

@Suite struct CNIResultTests {
    static let bridgeResult = CNIResult(
        cniVersion: "1.0.0",
        interfaces: [
            .init(name: "cni0", mac: "0a:58:0a:f4:00:01"),
            .init(name: "veth1a2b3c4d", mac: "6e:1c:2b:3a:4d:5e"),
            .init(name: "eth0", mac: "ba:1f:d6:00:33:83", sandbox: "/run/netns/pod1"),
        ],
        ips: [.init(address: "10.244.0.2/24", gateway: "10.244.0.1", interface: 2)],
        routes: [.init(dst: "0.0.0.0/0", gw: "10.244.0.1")],
        dns: .object([("nameservers", .array([.string("10.96.0.10")]))]))

    @Test func serializesTheOneDotZeroLayout() throws {
        try expectGolden(CNIResultTests.bridgeResult.json.serialized(indent: 4) + "\n", "result-1.0.0.json")
    }

    @Test func serializesTheZeroDotFourLayoutWithIPVersions() throws {
        var result = CNIResultTests.bridgeResult
        result.cniVersion = "0.4.0"
        try expectGolden(result.json.serialized(indent: 4) + "\n", "result-0.4.0.json")
    }

    @Test func roundTripsAndFindsTheSandboxAddress() throws {
        let json = CNIResultTests.bridgeResult.json
        let parsed = try CNIResult(json: JSONValue.parse(json.serialized()))
        #expect(parsed == CNIResultTests.bridgeResult)
        #expect(parsed.sandboxAddresses.map(\.description) == ["10.244.0.2/24"])
    }

    @Test func errorJSONCarriesTheSpecFields() throws {
        let error = CNIError(.addressPoolExhausted, "no IP addresses available in range set 10.245.1.2-10.245.1.3")
        try expectGolden(error.json(cniVersion: "1.0.0").serialized(indent: 4) + "\n", "error-pool-exhausted.json")
        #expect(CNIError.fromJSON(error.json(cniVersion: "1.0.0")) == error)
    }

    @Test func masqueradeRulesAreOneTransaction() throws {
        let add = IPMasqRules.add(
            network: "swiftlet", subnet: IPv4Prefix("10.244.0.0/24")!, containerID: "abc",
            pod: IPv4Address("10.244.0.2")!)
        let del = IPMasqRules.delete(
            network: "swiftlet", containerID: "abc", pod: IPv4Address("10.244.0.2")!, removeChain: true)
        try expectGolden(add + "---\n" + del, "ipmasq-rules.txt")
    }
}
