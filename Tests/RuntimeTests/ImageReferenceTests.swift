import Testing

@testable import Runtime
@testable import Images

private let hex = String(repeating: "ab", count: 32)

@Suite struct ImageReferenceTests {
    @Test(arguments: [
        ("busybox", "docker.io/library/busybox:latest"),
        ("busybox:1.36", "docker.io/library/busybox:1.36"),
        ("library/busybox", "docker.io/library/busybox:latest"),
        ("docker.io/busybox", "docker.io/library/busybox:latest"),
        ("index.docker.io/library/busybox:1", "docker.io/library/busybox:1"),
        ("myorg/app", "docker.io/myorg/app:latest"),
        ("ghcr.io/org/app", "ghcr.io/org/app:latest"),
        ("ghcr.io/org/team/app:v1.2.3", "ghcr.io/org/team/app:v1.2.3"),
        ("localhost/x", "localhost/x:latest"),
        ("localhost:5000/x", "localhost:5000/x:latest"),
        ("127.0.0.1:5000/a/b:tag", "127.0.0.1:5000/a/b:tag"),
        ("[::1]:5000/x:1", "[::1]:5000/x:1"),
        ("localhost:5000", "docker.io/library/localhost:5000"),
        ("Registry.Example.com/app", "Registry.Example.com/app:latest"),
        ("a.b/c__d/e-f/g.h_i", "a.b/c__d/e-f/g.h_i:latest"),
        ("x/a---b", "docker.io/x/a---b:latest"),
        ("busybox:_under", "docker.io/library/busybox:_under"),
        ("ghcr.io/org/app@sha256:\(hex)", "ghcr.io/org/app@sha256:\(hex)"),
        // containerd drops the tag when a digest pins the content.
        ("busybox:1.36@sha256:\(hex)", "docker.io/library/busybox@sha256:\(hex)"),
    ])
    func normalizes(input: String, expected: String) throws {
        #expect(try ImageReference.normalize(input).description == expected)
    }

    @Test func keepsTagAndDigestWhenParsed() throws {
        let ref = try ImageReference(parsing: "localhost:5000/x:1@sha256:\(hex)")
        #expect(ref.domain == "localhost:5000")
        #expect(ref.path == "x")
        #expect(ref.tag == "1")
        #expect(ref.digest?.hex == hex)
        #expect(ref.description == "localhost:5000/x:1@sha256:\(hex)")
    }

    @Test func familiarNames() throws {
        #expect(try ImageReference.normalize("busybox").familiar == "busybox:latest")
        #expect(try ImageReference.normalize("org/app:1").familiar == "org/app:1")
        #expect(try ImageReference.normalize("ghcr.io/org/app:1").familiar == "ghcr.io/org/app:1")
    }

    @Test(arguments: [
        ("", "empty reference"),
        ("Busybox", "repository name must be lowercase"),
        ("docker.io/Library/busybox", "repository name must be lowercase"),
        ("busybox:", "invalid tag"),
        ("busybox:-x", "invalid tag"),
        ("busybox:\(String(repeating: "a", count: 129))", "invalid tag"),
        ("busybox@sha256:abc", "sha256 needs 64 lowercase hex digits"),
        ("busybox@md5:\(hex)", "unsupported algorithm"),
        ("busybox@", "expected algorithm:hex"),
        ("a//b", "invalid repository path component"),
        ("a/b/", "invalid repository path component"),
        ("-a/b", "invalid repository path component"),
        ("a_-b", "invalid repository path component"),
        ("a...b", "invalid repository path component"),
        ("ex ample/app", "invalid repository path component"),
        ("host:port/x", "invalid registry host"),
        ("-bad.host/x", "invalid registry host"),
        ("ghcr.io/", "repository name is empty"),
        ("a@b@sha256:\(hex)", "digest"),
        (hex, "64-character hexadecimal"),
        ("example.com/" + String(repeating: "a", count: 250), "longer than 255"),
    ])
    func refusesInvalid(input: String, reason: String) {
        do {
            let parsed = try ImageReference.normalize(input)
            Issue.record("\(input) parsed as \(parsed)")
        } catch let error as ImageError {
            #expect(error.description.contains(reason), "\(error)")
            #expect(error.description.hasPrefix("invalid reference \"\(input)\""))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
