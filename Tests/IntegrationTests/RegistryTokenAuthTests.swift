import Foundation
@testable import Images
import Testing

/// Bearer-token auth as Docker Hub does it: a front (RegistryTokenProxy.py) before a real
/// docker-registry answers with a `WWW-Authenticate: Bearer` challenge and hands out tokens
/// for Basic credentials from the docker config.
@Suite(.enabled(if: isRoot)) struct RegistryTokenAuthTests {
    @Test func bearerChallengeIsAnsweredWithATokenFromTheRealm() throws {
        let registry = try RegistryFixture()
        defer { registry.stop() }
        try registry.pushLayout(ImageFixtures.testLayout, as: "hub/busybox", tag: "1")
        let frontPort = registry.port + 500
        let front = Process()
        front.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        front.arguments = [packageRoot + "/Tests/IntegrationTests/RegistryTokenProxy.py", "\(frontPort)", "\(registry.port)", "carol", "tok3n"]
        try front.run()
        defer {
            kill(front.processIdentifier, SIGKILL)
            front.waitUntilExit()
        }
        let root = ImageFixtures.temporaryDirectory("pull-token")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let domain = "127.0.0.1:\(frontPort)"
        var ready = false
        for _ in 0..<100 where !ready {
            ready = ImageFixtures.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "http://\(domain)/v2/"]) == 0
            if !ready { usleep(50_000) }
        }
        try #require(ready)

        let store = try ImageStore(root: root)
        let anonymous = ImagePuller(store: store, options: RegistryOptions())
        #expect {
            try anonymous.pull(reference: "\(domain)/hub/busybox:1")
        } throws: { error in
            "\(error)".contains("the token service 127.0.0.1 requires credentials and there are none for \(domain)")
                && "\(error)".contains("UNAUTHORIZED: bad credentials")
        }
        let logins = RegistryCredentials(logins: [domain: .init(username: "carol", password: "tok3n")], source: "test config")
        let pulled = try ImagePuller(store: store, options: RegistryOptions(credentials: logins)).pull(reference: "\(domain)/hub/busybox:1")
        #expect(pulled.fetchedLayers == 1)
        #expect(FileManager.default.fileExists(atPath: try store.resolve("\(domain)/hub/busybox:1").layers[0].directory + "/bin/busybox"))
    }
}
