import Foundation
@testable import Images
import Testing

/// The registry client's pure parts: challenges, docker config logins, URLs, host rules.
@Suite struct RegistryUnitTests {
    @Test func dockerHubBearerChallengeParses() {
        let header = #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#
        let challenges = AuthChallenge.parse(header)
        #expect(challenges == [AuthChallenge(scheme: "bearer", parameters: [
            "realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:library/busybox:pull",
        ])])
    }

    @Test func severalChallengesAndQuotedCommasParse() {
        let challenges = AuthChallenge.parse(#"Basic realm="a, b", Bearer realm="https://t/x",scope="repository:a:pull,push""#)
        #expect(challenges.map(\.scheme) == ["basic", "bearer"])
        #expect(challenges[0].parameters["realm"] == "a, b")
        #expect(challenges[1].parameters["scope"] == "repository:a:pull,push")
    }

    @Test func dockerConfigLoginsByHost() throws {
        let auth = Data("alice:pa:ss".utf8).base64EncodedString()
        let json = #"{"auths": {"https://index.docker.io/v1/": {"auth": "\#(auth)"}, "127.0.0.1:5000": {"username": "bob", "password": "pw"}, "ghcr.io": {}}}"#
        let credentials = try RegistryCredentials.parse(Data(json.utf8), file: "config.json")
        #expect(credentials.login(for: "docker.io") == .init(username: "alice", password: "pa:ss"))
        #expect(credentials.login(for: "127.0.0.1:5000") == .init(username: "bob", password: "pw"))
        #expect(credentials.login(for: "ghcr.io") == nil)
    }

    @Test func badDockerConfigNamesTheField() {
        #expect(throws: RegistryError.invalidConfig(file: "c.json", reason: "auths.r.io.auth: expected base64 of user:password")) {
            try RegistryCredentials.parse(Data(#"{"auths": {"r.io": {"auth": "!!!"}}}"#.utf8), file: "c.json")
        }
        #expect(throws: RegistryError.invalidConfig(file: "c.json", reason: "not a JSON object")) {
            try RegistryCredentials.parse(Data("[".utf8), file: "c.json")
        }
    }

    /// `docker login` while the agent runs: the next pull uses the new login; a file broken
    /// mid-edit keeps the last good logins; a removed file has none.
    @Test func loginsFollowTheConfigFileAsItChanges() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("registry-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/config.json"
        func write(_ text: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
        try write(#"{"auths": {"r.io": {"username": "alice", "password": "one"}}}"#)
        let options = try RegistrySettings(configPath: path).load()
        #expect(options.credentials.login(for: "r.io") == .init(username: "alice", password: "one"))

        try write(#"{"auths": {"r.io": {"username": "alice", "password": "two"}, "s.io": {"username": "bob", "password": "x"}}}"#)
        #expect(options.credentials.login(for: "r.io") == .init(username: "alice", password: "two"))
        #expect(options.credentials.login(for: "s.io") == .init(username: "bob", password: "x"))

        try write("{ half written")
        #expect(options.credentials.login(for: "r.io") == .init(username: "alice", password: "two"))
        try FileManager.default.removeItem(atPath: path)
        #expect(options.credentials.login(for: "r.io") == nil)
    }

    @Test func redirectLocationsResolve() {
        let base = HTTPURL(secure: true, host: "r.io", target: "/v2/a/blobs/sha256:x")
        #expect(HTTPURL("https://cdn.example.com:8443/b?sig=1", relativeTo: base)?.description == "https://cdn.example.com:8443/b?sig=1")
        #expect(HTTPURL("/other", relativeTo: base)?.description == "https://r.io/other")
        #expect(HTTPURL("c", relativeTo: base)?.description == "https://r.io/v2/a/blobs/c")
        #expect(HTTPURL("ftp://x/y") == nil)
    }

    @Test func loopbackAndInsecureHosts() {
        #expect(RegistryOptions.isLoopback(host: "127.0.0.1"))
        #expect(RegistryOptions.isLoopback(host: "127.3.4.5"))
        #expect(RegistryOptions.isLoopback(host: "localhost"))
        #expect(!RegistryOptions.isLoopback(host: "128.0.0.1"))
        #expect(!RegistryOptions.isLoopback(host: "127.example.com"))
        let options = RegistryOptions(insecureRegistries: ["reg.lan:5000", "other.lan"])
        #expect(options.isInsecure(host: "reg.lan", port: 5000))
        #expect(!options.isInsecure(host: "reg.lan", port: 443))
        #expect(options.isInsecure(host: "other.lan", port: 8080))
    }

    @Test func insecureRegistryEntriesAreHostAndPort() throws {
        for good in ["reg.lan", "reg.lan:5000", "10.0.0.5:443", "[fd00::1]:5000", "[fd00::1]"] {
            try RegistrySettings.checkInsecure(good)
        }
        let refused: [(String, String)] = [
            ("http://reg.lan", "expected HOST[:PORT], without a scheme"),
            ("reg.lan/v2", "expected HOST[:PORT], without a path"),
            ("reg.lan:http", "the port is not a number in 1-65535"),
            ("reg.lan:70000", "the port is not a number in 1-65535"),
            (":5000", "expected HOST[:PORT]"),
        ]
        for (entry, reason) in refused {
            #expect(throws: RegistryError.invalidConfig(file: "--insecure-registry \"\(entry)\"", reason: reason)) {
                try RegistrySettings.checkInsecure(entry)
            }
        }
    }

    @Test func registryErrorsReadAsOneLine() {
        let error = RegistryError.response(what: "manifest 127.0.0.1:5000/a:x", status: 404, errors: ["MANIFEST_UNKNOWN: manifest unknown"])
        #expect(error.description == "manifest 127.0.0.1:5000/a:x: MANIFEST_UNKNOWN: manifest unknown (HTTP 404)")
    }
}
