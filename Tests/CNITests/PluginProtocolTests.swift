import Foundation
import Logging
import Testing

@testable import CNI

/// The exec protocol's error paths, which stop before touching the host.
@Suite struct PluginProtocolTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    let env = [
        "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "abc", "CNI_NETNS": "/run/netns/x", "CNI_IFNAME": "eth0",
        "CNI_PATH": "/usr/lib/cni",
    ]
    let config =
        #"{"cniVersion":"1.0.0","name":"n","type":"swiftlet-bridge","ipam":{"type":"host-local","subnet":"10.245.30.0/24"}}"#

    func run(_ env: [String: String], _ stdin: String) throws -> (Int32, JSONValue) {
        let outcome = PluginMain.run(environment: env, stdin: Array(stdin.utf8), logger: logger)
        return (outcome.exitCode, try JSONValue.parse(outcome.stdout))
    }

    @Test func malformedJSONIsCodeSix() throws {
        let (rc, out) = try run(env, "{\"cniVersion\":")
        #expect(rc == 1)
        #expect(out["code"]?.intValue == 6)
        #expect(out["cniVersion"]?.stringValue == "1.0.0")
        #expect(out["msg"]?.stringValue?.hasPrefix("network config on stdin: invalid JSON") == true)
    }

    @Test(arguments: ["CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"])
    func aMissingVariableIsCodeFour(_ name: String) throws {
        var env = self.env
        env[name] = nil
        let (rc, out) = try run(env, config)
        #expect(rc == 1)
        #expect(out["code"]?.intValue == 4)
        #expect(out["msg"]?.stringValue == "required env variables [\(name)] missing")
    }

    @Test func delDoesNotNeedANetns() throws {
        var env = self.env
        env["CNI_NETNS"] = nil
        #expect(throws: Never.self) { _ = try PluginEnvironment(env.merging(["CNI_COMMAND": "DEL"]) { $1 }) }
    }

    @Test func badVariablesAreCodeFour() throws {
        for (key, value) in [
            ("CNI_COMMAND", "PUT"), ("CNI_CONTAINERID", "../etc"), ("CNI_IFNAME", "an-interface-name-too-long"),
            ("CNI_ARGS", "K8S_POD_NAME"),
        ] {
            let (rc, out) = try run(env.merging([key: value]) { $1 }, config)
            #expect(rc == 1 && out["code"]?.intValue == 4, "\(key)=\(value)")
        }
    }

    @Test func anInvalidConfigIsCodeSevenAndKeepsTheConfigVersion() throws {
        let (rc, out) = try run(env, #"{"cniVersion":"0.4.0","name":"n","type":"swiftlet-bridge","mtu":1}"#)
        #expect(rc == 1)
        #expect(out["code"]?.intValue == 7)
        #expect(out["cniVersion"]?.stringValue == "0.4.0")
    }

    @Test func versionListsTheSupportedVersions() throws {
        let (rc, out) = try run(["CNI_COMMAND": "VERSION"], #"{"cniVersion":"0.4.0"}"#)
        #expect(rc == 0)
        #expect(out["cniVersion"]?.stringValue == "0.4.0")
        #expect(out["supportedVersions"]?.arrayValue?.compactMap(\.stringValue) == supportedCNIVersions)
    }

    @Test func clientPassesPrevResultRuntimeConfigAndIgnoreUnknown() throws {
        let list = try NetworkConfigList.parse(
            Array(
                #"""
                {"cniVersion":"1.0.0","name":"pods","plugins":[{"type":"portmap","capabilities":{"portMappings":true}}]}
                """#.utf8))
        let runtime = RuntimeConf(
            containerID: "abc", netNS: "/run/netns/x", ifName: "eth0",
            args: [("K8S_POD_NAME", "web")],
            capabilityArgs: ["portMappings": .array([]), "bandwidth": .object([])])
        #expect(runtime.cniArgs == "IgnoreUnknown=1;K8S_POD_NAME=web")
        let client = CNIClient(pluginDirs: ["/usr/lib/cni"], cacheDir: "/tmp/unused", logger: logger)
        let conf = client.pluginConfig(list.plugins[0], runtime: runtime, prevResult: CNIResultTests.bridgeResult)
        #expect(conf["runtimeConfig"]?.serialized() == #"{"portMappings":[]}"#)
        #expect(conf["prevResult"]?["ips"]?.arrayValue?.count == 1)
        #expect(conf["name"]?.stringValue == "pods")
    }

    @Test func base64MatchesTheStandardAlphabet() {
        #expect(Base64.encode(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw==")
        #expect(Base64.encode(Array("any carnal pleasu".utf8)) == "YW55IGNhcm5hbCBwbGVhc3U=")
        #expect(Base64.encode(Array("any carnal pleasur".utf8)) == "YW55IGNhcm5hbCBwbGVhc3Vy")
        for text in ["any carnal pleas", "any carnal pleasu", "any carnal pleasur", ""] {
            #expect(Base64.decode(Base64.encode(Array(text.utf8))) == Array(text.utf8))
        }
        #expect(Base64.decode("YW55IGNhcm5hbCBwbGVhc3U") == Array("any carnal pleasu".utf8))
        #expect(Base64.decode("not base64!") == nil)
    }

    @Test func cachedConfigIsFoundByAttachmentWhateverTheNetworkName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cni-cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = ResultCache(cacheDir: dir)
        let runtime = RuntimeConf(containerID: "pod-1", netNS: "/run/netns/x", ifName: "eth0", args: [])
        let old = try NetworkConfigList.parse(Array(#"{"cniVersion":"1.0.0","name":"old-net","plugins":[{"type":"bridge"}]}"#.utf8))
        let other = RuntimeConf(containerID: "pod-2", netNS: "/run/netns/y", ifName: "eth0", args: [])
        try cache.store(CNIResultTests.bridgeResult, network: old, runtime: runtime)
        try cache.store(CNIResultTests.bridgeResult, network: old, runtime: other)
        #expect(try cache.network(containerID: "pod-1", ifName: "eth0")?.json == old.json)
        #expect(try cache.network(containerID: "pod-1", ifName: "net1") == nil)
        #expect(try cache.network(containerID: "pod-3", ifName: "eth0") == nil)
    }

    /// A runtime killed mid-store leaves `<entry>.tmp.<pid>`: it is no attachment, and removing
    /// the entry removes it too.
    @Test func aStoreInterruptedByAKillLeavesNothingOnceTheEntryIsRemoved() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cni-cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = ResultCache(cacheDir: dir)
        let runtime = RuntimeConf(containerID: "pod-1", netNS: "/run/netns/x", ifName: "eth0", args: [])
        let net = try NetworkConfigList.parse(Array(#"{"cniVersion":"1.0.0","name":"net","plugins":[{"type":"bridge"}]}"#.utf8))
        try cache.store(CNIResultTests.bridgeResult, network: net, runtime: runtime)
        let entry = cache.path(network: "net", runtime: runtime)
        try FileManager.default.copyItem(atPath: entry, toPath: entry + ".tmp.999999")
        #expect(try cache.attachments(network: "net").map(\.containerID) == ["pod-1"])
        try cache.remove(network: "net", runtime: runtime)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/results").isEmpty)
    }
}
