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
        try node.write("web.yaml", PodIntegrationTests.pod("web", """
              - name: httpd
                image: 127.0.0.1:5000/apps/busybox:1.0
                command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            """))
        try node.write("missing.yaml", PodIntegrationTests.pod("missing", """
              - name: c
                image: 127.0.0.1:5000/apps/busybox:missing
                command: ["true"]
            """))
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
}
