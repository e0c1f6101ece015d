import Foundation
@testable import Images
import Testing

/// Pulls from a real `docker-registry` on 127.0.0.1 (root: it runs in the private network
/// namespace scripts/test.sh makes), through `swiftlet images pull` and `ImagePuller`.
@Suite(.enabled(if: isRoot)) struct RegistryPullTests {
    private func swiftlet(_ arguments: [String]) -> (status: Int32, output: String) {
        let run = runSwiftlet(arguments)
        return (run.status, run.stdout + run.stderr)
    }

    @Test func pullByTagThenByDigestWithTheCLI() throws {
        let registry = try RegistryFixture()
        defer { registry.stop() }
        let root = ImageFixtures.temporaryDirectory("pull-cli")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let manifest = try registry.pushLayout(ImageFixtures.testLayout, as: "test/busybox", tag: "1.0")
        let name = "\(registry.authority)/test/busybox"

        let byTag = swiftlet(["images", "pull", name + ":1.0", "--root", root])
        #expect(byTag.status == 0, "\(byTag.output)")
        #expect(byTag.output.contains("Pull complete"), "\(byTag.output)")
        #expect(byTag.output.contains("Digest: \(manifest.digest)"), "\(byTag.output)")
        let list = swiftlet(["images", "list", "--root", root, "--no-trunc"])
        #expect(list.output.contains("\(name):1.0"), "\(list.output)")
        #expect(list.output.contains(manifest.digest.description), "\(list.output)")

        // By digest: the layer is in the store already and is not fetched again.
        let byDigest = swiftlet(["images", "pull", "\(name)@\(manifest.digest)", "--root", root])
        #expect(byDigest.status == 0, "\(byDigest.output)")
        #expect(byDigest.output.contains("Already exists"), "\(byDigest.output)")
        #expect(byDigest.output.contains("0 layers"), "\(byDigest.output)")
        let store = try ImageStore(root: root)
        let image = try store.resolve("\(name)@\(manifest.digest)")
        #expect(FileManager.default.fileExists(atPath: image.layers[0].directory + "/bin/busybox"))

        let missing = swiftlet(["images", "pull", name + ":nope", "--root", root])
        #expect(missing.status != 0)
        #expect(missing.output.contains("MANIFEST_UNKNOWN: manifest unknown"), "\(missing.output)")
    }

    @Test func multiArchIndexResolvesToThisPlatform() throws {
        let registry = try RegistryFixture()
        defer { registry.stop() }
        let root = ImageFixtures.temporaryDirectory("pull-index")
        defer { try? FileManager.default.removeItem(atPath: root) }
        func layer(_ arch: String) -> Data {
            var tar = ImageTarBuilder()
            tar.file("arch", arch + "\n")
            return tar.finished()
        }
        let arm = try registry.pushImage("multi", tag: "arm64-only", layers: [layer("arm64")], architecture: "arm64")
        let amd = try registry.pushImage("multi", tag: "amd64-only", layers: [layer("amd64")], compression: .zstd, architecture: "amd64")
        var armEntry = arm
        armEntry.platform = Platform(architecture: "arm64", os: "linux", variant: "v8")
        var amdEntry = amd
        amdEntry.platform = Platform(architecture: "amd64", os: "linux")
        let index = OCIIndex(manifests: [armEntry, amdEntry])
        let indexDescriptor = try registry.pushManifest("multi", "1", try JSONEncoder().encode(index), mediaType: MediaType.ociIndex)

        let store = try ImageStore(root: root, platform: Platform(architecture: "amd64", os: "linux"))
        let pulled = try ImagePuller(store: store, options: RegistryOptions()).pull(reference: "\(registry.authority)/multi:1")
        #expect(pulled.target.digest == indexDescriptor.digest)
        #expect(pulled.manifestDigest == amd.digest)
        let image = try store.resolve("\(registry.authority)/multi:1")
        #expect(try String(contentsOfFile: image.layers[0].directory + "/arch", encoding: .utf8) == "amd64\n")
        // The other platform's layers were never fetched.
        #expect(!store.hasBlob(arm.digest))
        #expect(pulled.fetchedLayers == 1)
    }

    @Test func anUpperLayerWhiteoutHidesTheFile() throws {
        let registry = try RegistryFixture()
        defer { registry.stop() }
        let root = ImageFixtures.temporaryDirectory("pull-whiteout")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var base = ImageTarBuilder()
        base.directory("etc")
        base.file("etc/keep", "kept\n")
        base.file("etc/gone", "deleted above\n")
        var upper = ImageTarBuilder()
        upper.directory("etc")
        upper.file("etc/.wh.gone", "")
        try registry.pushImage("whiteout", tag: "v1", layers: [base.finished(), upper.finished()], docker: true)

        let store = try ImageStore(root: root)
        try ImagePuller(store: store, options: RegistryOptions()).pull(reference: "\(registry.authority)/whiteout:v1")
        let image = try store.resolve("\(registry.authority)/whiteout:v1")
        let container = root + "/containers/c1"
        let mount = RootfsMount(layers: image.layerDirectories, containerDirectory: container, target: container + "/rootfs")
        try mount.mount()
        defer { try? mount.unmount() }
        #expect(try String(contentsOfFile: mount.target + "/etc/keep", encoding: .utf8) == "kept\n")
        #expect(!FileManager.default.fileExists(atPath: mount.target + "/etc/gone"))
    }

    @Test func aBlobAlteredInTheRegistryIsRefused() throws {
        let registry = try RegistryFixture()
        defer { registry.stop() }
        let root = ImageFixtures.temporaryDirectory("pull-altered")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var tar = ImageTarBuilder()
        tar.file("hello", "original\n")
        let manifestDescriptor = try registry.pushImage("altered", tag: "v1", layers: [tar.finished()], compression: .none)
        let manifest = try OCIManifest.decode(
            try Data(contentsOf: URL(fileURLWithPath: "\(registry.storage)/docker/registry/v2/blobs/sha256/\(manifestDescriptor.digest.hex.prefix(2))/\(manifestDescriptor.digest.hex)/data")),
            file: "pushed manifest")
        let layer = manifest.layers[0].digest
        // Same size, one byte changed: only the digest tells.
        let path = registry.blobDataPath(layer)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let offset = bytes.range(of: Data("original".utf8))!.lowerBound
        bytes[offset] = UInt8(ascii: "O")
        try bytes.write(to: URL(fileURLWithPath: path))

        let store = try ImageStore(root: root)
        #expect {
            try ImagePuller(store: store, options: RegistryOptions()).pull(reference: "\(registry.authority)/altered:v1")
        } throws: { error in
            "\(error)".contains("expected \(layer)")
        }
        #expect(!store.hasBlob(layer))
        #expect(try !store.contains("\(registry.authority)/altered:v1"))
    }

    @Test func htpasswdBehindTLSNeedsTheCAAndTheRightPassword() throws {
        let registry = try RegistryFixture(tls: true, login: ("alice", "s3cret"))
        defer { registry.stop() }
        let root = ImageFixtures.temporaryDirectory("pull-auth")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try registry.pushLayout(ImageFixtures.testLayout, as: "private/busybox", tag: "1")
        let name = "\(registry.authority)/private/busybox:1"
        func config(_ user: String, _ password: String) throws -> String {
            let path = root + "/config-\(user)-\(password).json"
            let auth = Data("\(user):\(password)".utf8).base64EncodedString()
            try #"{"auths": {"\#(registry.authority)": {"auth": "\#(auth)"}}}"#.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let good = try config("alice", "s3cret")
        let wrong = try config("alice", "guess")

        let untrusted = swiftlet(["images", "pull", name, "--root", root, "--registry-config", good])
        #expect(untrusted.status != 0)
        #expect(untrusted.output.contains("failed to verify certificate of 127.0.0.1"), "\(untrusted.output)")

        let refused = swiftlet(["images", "pull", name, "--root", root, "--registry-config", wrong, "--registry-ca", registry.caFile])
        #expect(refused.status != 0)
        #expect(refused.output.contains("unauthorized: the registry refused the credentials for \"alice\" in \(wrong)"), "\(refused.output)")

        let anonymous = swiftlet(["images", "pull", name, "--root", root, "--registry-config", root + "/none.json", "--registry-ca", registry.caFile])
        #expect(anonymous.status != 0)
        #expect(anonymous.output.contains("none.json: cannot be read"), "\(anonymous.output)")

        let pulled = swiftlet(["images", "pull", name, "--root", root, "--registry-config", good, "--registry-ca", registry.caFile])
        #expect(pulled.status == 0, "\(pulled.output)")
        #expect(pulled.output.contains("Pull complete"), "\(pulled.output)")
    }

    /// Crafted layers pushed to a real registry: `swiftlet images pull` refuses each one
    /// naming the entry, leaves the sentinel dir they aim at untouched, names no image and
    /// leaves no unpacked layer or staging dir behind.
    @Test func craftedLayersAreRefusedAndWriteNothingOutsideTheStore() throws {
        let registry = try RegistryFixture()
        defer { registry.stop() }
        let root = ImageFixtures.temporaryDirectory("pull-crafted")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sentinel = ImageFixtures.temporaryDirectory("sentinel")
        defer { try? FileManager.default.removeItem(atPath: sentinel) }
        try Data("secret".utf8).write(to: URL(fileURLWithPath: sentinel + "/secret"))
        // Enough `../` to climb from the staging dir (<root>/images/tmp/layer-*) to /, then down to the sentinel.
        let climb = String(repeating: "../", count: 10) + sentinel.dropFirst()
        var dotdot = ImageTarBuilder()
        dotdot.file("etc/ok", "fine\n")
        dotdot.file(climb + "/escaped", "pwned")
        var symlink = ImageTarBuilder()
        symlink.add("evil", .symlink, link: sentinel)
        symlink.file("evil/escaped", "pwned")
        var hardlink = ImageTarBuilder()
        hardlink.add("hard", .hardlink, link: climb + "/secret")
        let cases: [(repository: String, layer: ImageTarBuilder, entry: String, reason: String)] = [
            ("crafted/dotdot", dotdot, climb + "/escaped", "path escapes the layer root"),
            ("crafted/symlink", symlink, "evil/escaped", "\"evil\" resolves outside the layer root (absolute or escaping symlink)"),
            ("crafted/hardlink", hardlink, "hard", "hardlink target \"\(climb)/secret\" escapes the layer root"),
        ]
        for crafted in cases {
            try registry.pushImage(crafted.repository, tag: "1", layers: [crafted.layer.finished()])
            let pulled = swiftlet(["images", "pull", "\(registry.authority)/\(crafted.repository):1", "--root", root])
            #expect(pulled.status == 1, "\(crafted.repository): \(pulled.output)")
            #expect(pulled.output.contains("entry \"\(crafted.entry)\" refused: \(crafted.reason)"), "\(crafted.repository): \(pulled.output)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: sentinel) == ["secret"])
        var st = stat()
        #expect(lstat(sentinel + "/secret", &st) == 0 && st.st_nlink == 1)
        #expect(swiftlet(["images", "list", "--root", root]).output.split(separator: "\n").count == 1)
        let store = try ImageStore(root: root)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.directory + "/layers/sha256").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.directory + "/tmp").isEmpty)
    }

    @Test func concurrentPullsOfOneReferenceShareOnePull() throws {
        let registry = try RegistryFixture()
        defer { registry.stop() }
        let root = ImageFixtures.temporaryDirectory("pull-shared")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var layers: [Data] = []
        for i in 0..<3 {
            var tar = ImageTarBuilder()
            tar.file("file\(i)", String(repeating: "layer \(i)\n", count: 50_000))
            layers.append(tar.finished())
        }
        try registry.pushImage("shared", tag: "v1", layers: layers)
        let puller = ImagePuller(store: try ImageStore(root: root), options: RegistryOptions())
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            results.append(Result { try puller.pull(reference: "\(registry.authority)/shared:v1") })
        }
        let images = try results.all.map { try $0.get() }
        #expect(images.count == 4)
        #expect(images.reduce(0) { $0 + $1.fetchedLayers } == 3)
        #expect(Set(images.map(\.target)).count == 1)
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<PulledImage, Error>] = []
    func append(_ result: Result<PulledImage, Error>) {
        lock.lock()
        results.append(result)
        lock.unlock()
    }
    var all: [Result<PulledImage, Error>] {
        lock.lock()
        defer { lock.unlock() }
        return results
    }
}
