import Foundation
import Testing

@testable import CNI

@Suite struct NetworkConfigTests {
    @Test func conflistGivesEachPluginTheNameAndVersion() throws {
        let list = try NetworkConfigList.parse(
            Array(
                #"""
                {"cniVersion":"1.0.0","name":"pods","plugins":[{"type":"bridge","bridge":"cni0","ipam":{"type":"host-local"}},
                 {"type":"portmap","capabilities":{"portMappings":true,"other":false}}]}
                """#.utf8))
        #expect(list.name == "pods")
        #expect(list.plugins.map(\.type) == ["bridge", "portmap"])
        #expect(list.plugins.allSatisfy { $0.name == "pods" && $0.cniVersion == "1.0.0" })
        #expect(list.plugins[1].capabilities == ["portMappings"])
    }

    @Test(arguments: [
        (
            #"{"cniVersion":"1.0.0","name":"x","plugins":[{"type":"bridge"}"#, 6,
            "network config list: invalid JSON: unexpected end of input at offset 61"
        ),
        (#"{"cniVersion":"1.0.0","plugins":[{"type":"bridge"}]}"#, 7, "network config list: field \"name\" is missing"),
        (
            #"{"cniVersion":"9.9.9","name":"x","plugins":[{"type":"bridge"}]}"#, 1,
            "network config list: cniVersion \"9.9.9\" is not supported (supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0)"
        ),
        (
            #"{"cniVersion":"1.0.0","name":"x","plugins":[]}"#, 7,
            "network config list: field \"plugins\" must be a non-empty array"
        ),
        (
            #"{"cniVersion":"1.0.0","name":"x","plugins":[{"bridge":"b"}]}"#, 7,
            "network config list: plugins[0]: field \"type\" is missing"
        ),
        (
            #"{"cniVersion":"1.0.0","name":"x","plugins":[{"type":"../bin/sh"}]}"#, 7,
            "network config list: plugins[0]: field \"type\" must be a plugin name, got \"../bin/sh\""
        ),
    ])
    func badListsGiveOneClearError(_ text: String, _ code: Int, _ message: String) {
        let error = #expect(throws: CNIError.self) { try NetworkConfigList.parse(Array(text.utf8)) }
        #expect(error?.code == code)
        #expect(error?.msg == message)
    }

    @Test(arguments: [
        (
            #"{"cniVersion":"1.0.0","name":"n","type":"swiftlet-bridge","ipam":{"type":"host-local"},"mtu":"big"}"#, 7,
            "field \"mtu\" must be an integer from 68 to 65535, got \"big\""
        ),
        (
            #"{"cniVersion":"1.0.0","name":"n","type":"swiftlet-bridge","ipam":{"type":"host-local"},"ipMasq":"yes"}"#,
            7, "field \"ipMasq\" must be true or false, got \"yes\""
        ),
        (
            #"{"cniVersion":"1.0.0","name":"n","type":"swiftlet-bridge","ipam":{"type":"host-local"},"bridge":"a-very-long-bridge-name"}"#,
            7, "field \"bridge\" must be an interface name (1-15 characters), got \"a-very-long-bridge-name\""
        ),
        (
            #"{"cniVersion":"1.0.0","name":"n","type":"swiftlet-bridge"}"#, 7,
            "field \"ipam\" is missing (swiftlet-bridge needs IPAM)"
        ),
        (
            #"{"cniVersion":"0.2.0","name":"n","type":"swiftlet-bridge","ipam":{"type":"host-local"}}"#, 1,
            "incompatible CNI versions: config is \"0.2.0\", plugin supports [\"0.3.0\", \"0.3.1\", \"0.4.0\", \"1.0.0\", \"1.1.0\"]"
        ),
    ])
    func badBridgeOptionsNameTheField(_ text: String, _ code: Int, _ message: String) throws {
        let config = try NetworkConfig.parse(Array(text.utf8))
        let error = #expect(throws: CNIError.self) { try BridgeConfig(config) }
        #expect(error?.code == code)
        #expect(error?.msg == message)
    }

    @Test func bridgeDefaultsFollowTheReferencePlugin() throws {
        let config = try BridgeConfig(
            NetworkConfig.parse(
                Array(
                    #"""
                    {"cniVersion":"1.0.0","name":"n","type":"swiftlet-bridge","isDefaultGateway":true,"ipam":{"type":"host-local","subnet":"10.245.20.0/24"}}
                    """#.utf8)))
        #expect(config.bridge == "cni0")
        #expect(config.isGateway)  // implied by isDefaultGateway
        #expect(!config.ipMasq && !config.hairpinMode && !config.promiscMode)
        #expect(config.mtu == nil)
    }

    @Test func theAgentsDefaultNetworkIsASwiftletBridgeList() throws {
        let list = NetworkConfigList.swiftletBridge(
            name: "swiftlet", bridge: "swiftlet0", subnet: "10.244.0.0/24",
            dataDir: "/var/lib/swiftlet/cni")
        #expect(list.cniVersion == "1.0.0")
        let bridge = try BridgeConfig(list.plugins[0])
        #expect(list.plugins[0].type == "swiftlet-bridge")
        #expect(
            bridge.bridge == "swiftlet0" && bridge.isGateway && bridge.isDefaultGateway && bridge.ipMasq
                && bridge.hairpinMode)
        let ipam = try HostLocalConfig(ipam: bridge.ipam)
        #expect(ipam.rangeSets[0][0].subnet.description == "10.244.0.0/24")
        #expect(ipam.dataDir == "/var/lib/swiftlet/cni")
        // It round-trips through text, as the agent writes it to the config directory.
        #expect(try NetworkConfigList.parse(Array(list.json.serialized().utf8)) == list)
    }

    @Test func configDirectoryTakesTheFirstValidFileInLexicalOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cni-conf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"cniVersion":"1.0.0","name":"broken""#.write(
            to: dir.appendingPathComponent("05-broken.conflist"), atomically: true, encoding: .utf8)
        try #"{"cniVersion":"0.4.0","name":"single","type":"bridge","ipam":{"type":"host-local"}}"#
            .write(to: dir.appendingPathComponent("10-single.conf"), atomically: true, encoding: .utf8)
        try #"{"cniVersion":"1.0.0","name":"later","plugins":[{"type":"loopback"}]}"#
            .write(to: dir.appendingPathComponent("20-later.conflist"), atomically: true, encoding: .utf8)
        try "ignored".write(to: dir.appendingPathComponent("30-notes.txt"), atomically: true, encoding: .utf8)
        let directory = ConfigDirectory(path: dir.path)
        #expect(try directory.files() == ["05-broken.conflist", "10-single.conf", "20-later.conflist"])
        let network = try directory.defaultNetwork()
        #expect(network.name == "single")
        #expect(network.cniVersion == "0.4.0")
        #expect(network.plugins.map(\.type) == ["bridge"])
        #expect(network.plugins[0].json["ipam"]?["type"]?.stringValue == "host-local")
    }

    @Test func anEmptyConfigDirectoryIsAnError() throws {
        let error = #expect(throws: CNIError.self) {
            try ConfigDirectory(path: "/nonexistent-cni-dir").defaultNetwork()
        }
        #expect(error?.msg == "no network config found in /nonexistent-cni-dir")
    }
}
