import Foundation
import KubeAPI
import Testing

/// Pods whose images come from a registry on 127.0.0.1:5000, through `swiftlet run`.
@Suite(.enabled(if: isRoot), .serialized) struct RegistryPodTests {
    @Test func aPodRunsFromTheLocalRegistryAndAMissingTagBacksOff() throws {
        let registry = try RegistryFixture(port: 5000)
        defer { registry.stop() }
        try registry.pushLayout(ImageFixtures.testLayout, as: "apps/busybox", tag: "1.0")
        // The agent must reach the registry on the test's own 127.0.0.1.
        let node = try AgentHarness("registry", ownNetwork: false)
        defer { node.shutDown() }
        try node.start()
        try node.write("web.yaml", TestManifests.pod("web", containers: TestManifests.container(
            "httpd", image: "127.0.0.1:5000/apps/busybox:1.0", pullPolicy: nil, command: TestManifests.serveImagePage)))
        try node.write("missing.yaml", TestManifests.pod("missing", containers: TestManifests.container(
            image: "127.0.0.1:5000/apps/busybox:missing", pullPolicy: nil, command: ["true"])))
        #expect(node.wait(60) { node.running("web") }, "\(node.agentLog)")
        if let ip = node.pod("web")?.status?.podIP {
            #expect(node.wait { node.curl("http://\(ip):8080/")?.contains("Hello from Swiftlet") == true }, "\(node.agentLog)")
        }
        var listed = Data()
        ImageFixtures.run(builtBinary("swiftlet"), ["images", "list", "--root", node.root], output: &listed)
        #expect(String(decoding: listed, as: UTF8.self).contains("127.0.0.1:5000/apps/busybox:1.0"))

        #expect(node.wait(60) { node.status("missing", "c")?.state?.waiting?.reason == "ImagePullBackOff" }, "\(node.agentLog)")
        let waiting = node.status("missing", "c")?.state?.waiting
        #expect(waiting?.message?.contains("Back-off pulling image \"127.0.0.1:5000/apps/busybox:missing\"") == true, "\(String(describing: waiting))")
        #expect(waiting?.message?.contains("MANIFEST_UNKNOWN: manifest unknown") == true, "\(String(describing: waiting))")
    }

    @Test func aPodPullsFromAnHtpasswdTLSRegistryWithTheAgentsRegistryFlags() throws {
        let registry = try RegistryFixture(tls: true, login: ("alice", "s3cret"))
        defer { registry.stop() }
        try registry.pushLayout(ImageFixtures.testLayout, as: "private/busybox", tag: "1")
        let node = try AgentHarness("registry-tls", ownNetwork: false)
        defer { node.shutDown() }
        let config = node.base + "/docker-config.json"
        let auth = Data("alice:s3cret".utf8).base64EncodedString()
        try #"{"auths": {"\#(registry.authority)": {"auth": "\#(auth)"}}}"#.write(toFile: config, atomically: true, encoding: .utf8)
        node.extraArguments = ["--registry-config", config, "--registry-ca", registry.caFile]
        try node.start()
        let image = "\(registry.authority)/private/busybox:1"
        try node.write("private.yaml", TestManifests.pod("private", containers: TestManifests.container(
            "httpd", image: image, pullPolicy: nil, command: TestManifests.serveImagePage)))
        #expect(node.wait(60) { node.running("private") }, "\(node.agentLog)")
        if let ip = node.pod("private")?.status?.podIP {
            #expect(node.wait { node.curl("http://\(ip):8080/")?.contains("Hello from Swiftlet") == true }, "\(node.agentLog)")
        }
        var listed = Data()
        ImageFixtures.run(builtBinary("swiftlet"), ["images", "list", "--root", node.root], output: &listed)
        #expect(String(decoding: listed, as: UTF8.self).contains(image))
    }

    @Test(arguments: [
        (["--registry-config", "/nonexistent/config.json"], "swiftlet: /nonexistent/config.json: cannot be read\n"),
        (["--registry-ca", "/nonexistent/ca.pem"], "swiftlet: /nonexistent/ca.pem: registry CA bundle cannot be read: no such file or directory\n"),
    ])
    func theAgentRefusesRegistryFlagsItCannotUse(arguments: [String], message: String) throws {
        let root = ImageFixtures.temporaryDirectory("agent-flags")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: builtBinary("swiftlet"))
        process.arguments = ["run", "--root", root, "--manifests", root + "/manifests"] + arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(stderr == message)
        // Refused before anything is saved.
        #expect(!FileManager.default.fileExists(atPath: root + "/agent.json"))
    }
}
