import Foundation
import Runtime
@testable import Images
import Testing

/// The content store against real files: imports (OCI layout, its tar, docker-archive),
/// verification, shared unpacking, names, and garbage collection.
@Suite(.enabled(if: isRoot)) struct ImageStoreTests {
    private func withStore(_ body: (ImageStore, String) throws -> Void) throws {
        let root = ImageFixtures.temporaryDirectory("store")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try body(try ImageStore(root: root), root)
    }

    private func lstatOf(_ path: String) -> stat? {
        var st = stat()
        return lstat(path, &st) == 0 ? st : nil
    }

    @Test func importsTheTestImageLayout() throws {
        try withStore { store, root in
            let imported = try store.importImage(from: ImageFixtures.testLayout, name: "busybox")
            #expect(imported.map(\.reference.description) == ["docker.io/library/busybox:latest"])
            let list = try store.list()
            #expect(list.map(\.reference) == ["docker.io/library/busybox:latest"])
            #expect(list[0].size > 500_000)
            #expect(list[0].created == "1970-01-01T00:00:00Z")

            let image = try store.resolve("docker.io/library/busybox")
            #expect(image.digest == imported[0].manifest.digest)
            #expect(image.config.config?.cmd == ["sh"])
            #expect(image.layers.count == 1)
            let layer = image.layerDirectories[0]
            #expect(layer == root + "/images/layers/sha256/" + image.config.rootfs.diffIDs[0].hex)
            #expect(FileManager.default.isExecutableFile(atPath: layer + "/bin/busybox"))
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: layer + "/bin/sh") == "busybox")
            #expect(try String(contentsOfFile: layer + "/www/index.html", encoding: .utf8).contains("Hello from Swiftlet"))
            #expect((lstatOf(layer + "/tmp")?.st_mode ?? 0) & 0o7777 == 0o1777)
            #expect(lstatOf(layer + "/etc/passwd")?.st_mtim.tv_sec == 0)
            // Every blob the manifest names is in the store, under its digest.
            for blob in [image.manifestDigest, image.configDigest] + image.layers.map(\.blob.digest) {
                #expect(store.hasBlob(blob))
            }
            #expect(try UserDatabase.load(rootfs: layer).user(named: "nobody")?.uid == 65534)
        }
    }

    @Test func layersAreUnpackedOnceAndShared() throws {
        try withStore { store, _ in
            try store.importImage(from: ImageFixtures.testLayout, name: "busybox")
            try store.importImage(from: ImageFixtures.testLayout, name: "localhost:5000/other:1")
            let a = try store.resolve("busybox")
            let b = try store.resolve("localhost:5000/other:1")
            #expect(a.layerDirectories == b.layerDirectories)
            let again = try store.unpackLayer(blob: a.layers[0].blob, diffID: a.layers[0].diffID)
            #expect(again.unpacked == false)
            #expect(try store.list().map(\.reference) == ["docker.io/library/busybox:latest", "localhost:5000/other:1"])
        }
    }

    @Test func concurrentUnpacksOfOneLayerDoOneUnpack() throws {
        try withStore { store, _ in
            let tar = try ImageFixtures.testImageLayerTar()
            let blob = try store.writeBlob(ImageFixtures.compress(tar, .gzip), mediaType: MediaType.ociLayerGzip)
            let diffID = Digest.sha256(tar)
            let results = ResultsBox()
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                results.append(Result { try store.unpackLayer(blob: blob, diffID: diffID) })
            }
            let outcomes = try results.all.map { try $0.get() }
            #expect(outcomes.count == 4)
            #expect(outcomes.filter(\.unpacked).count == 1)
            #expect(Set(outcomes.map(\.directory)).count == 1)
        }
    }

    @Test func importsATarOfTheLayout() throws {
        try withStore { store, root in
            let tarPath = root + "/layout.tar"
            #expect(ImageFixtures.run("/bin/tar", ["-C", ImageFixtures.testLayout, "-cf", tarPath, "."]) == 0)
            let imported = try store.importImage(from: tarPath, name: "busybox:tarred")
            #expect(imported.map(\.reference.description) == ["docker.io/library/busybox:tarred"])
            #expect(FileManager.default.isExecutableFile(atPath: try store.resolve("busybox:tarred").layerDirectories[0] + "/bin/busybox"))
            // The staging dir of the import is gone.
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/images/tmp").isEmpty)
        }
    }

    @Test func alteredBlobIsRefusedNamingItsDigest() throws {
        try withStore { store, root in
            let layout = root + "/layout"
            try FileManager.default.copyItem(atPath: ImageFixtures.testLayout, toPath: layout)
            let index = try JSONDecoder().decode(OCIIndex.self, from: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")))
            let manifest = try JSONDecoder().decode(OCIManifest.self, from: Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(index.manifests[0].digest.hex)")))
            let layerPath = "\(layout)/blobs/sha256/\(manifest.layers[0].digest.hex)"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: layerPath))
            bytes[bytes.count / 2] ^= 0xff
            try bytes.write(to: URL(fileURLWithPath: layerPath))
            do {
                try store.importImage(from: layout, name: "busybox")
                Issue.record("imported an altered blob")
            } catch let error as ImageError {
                #expect(error.description.hasPrefix("content digest mismatch: expected \(manifest.layers[0].digest)"), "\(error)")
            }
            #expect(try store.list().isEmpty)
            #expect(!store.hasBlob(manifest.layers[0].digest))
        }
    }

    @Test func blobAlteredInTheStoreIsRefusedOnRead() throws {
        try withStore { store, _ in
            let image = try store.importImage(from: ImageFixtures.testLayout, name: "busybox")[0]
            let path = store.blobPath(image.manifest.digest)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes.append(0x20)
            try bytes.write(to: URL(fileURLWithPath: path))
            #expect(throws: ImageError.self) { try store.resolve("busybox") }
        }
    }

    @Test func layerWhoseDiffIDDoesNotMatchIsNotKept() throws {
        try withStore { store, root in
            var tar = ImageTarBuilder()
            tar.file("a", "a")
            let layout = root + "/layout"
            try ImageFixtures.makeLayout(at: layout, layers: [tar.finished()])
            // Rewrite the config with a wrong diff ID, and the manifest and index after it.
            let wrong = Digest.sha256(Data("other".utf8))
            let index = try JSONDecoder().decode(OCIIndex.self, from: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")))
            var manifest = try JSONDecoder().decode(OCIManifest.self, from: Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(index.manifests[0].digest.hex)")))
            let config = ImageConfig(rootfs: .init(diffIDs: [wrong]))
            let configData = try JSONEncoder().encode(config)
            manifest.config = ContentDescriptor(mediaType: MediaType.ociConfig, digest: .sha256(configData), size: Int64(configData.count))
            try configData.write(to: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(manifest.config.digest.hex)"))
            let manifestData = try JSONEncoder().encode(manifest)
            try manifestData.write(to: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(Digest.sha256(manifestData).hex)"))
            try JSONEncoder().encode(OCIIndex(manifests: [ContentDescriptor(mediaType: MediaType.ociManifest, digest: .sha256(manifestData), size: Int64(manifestData.count))]))
                .write(to: URL(fileURLWithPath: layout + "/index.json"))
            #expect(throws: ImageError.digestMismatch(expected: wrong.description, actual: Digest.sha256(tar.finished()).description)) {
                try store.importImage(from: layout, name: "x")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/images/layers/sha256").isEmpty)
        }
    }

    /// A layer fetched and unpacked in one pass (as a registry pull does), its bytes
    /// arriving in small writes: the same files as an unpack of the finished blob.
    @Test func fetchLayerUnpacksWhileTheBlobArrives() throws {
        try withStore { store, root in
            let tar = try ImageFixtures.testImageLayerTar()
            let blob = ImageFixtures.compress(tar, .gzip)
            let descriptor = ContentDescriptor(mediaType: MediaType.ociLayerGzip, digest: .sha256(blob), size: Int64(blob.count))
            let (directory, unpacked) = try store.fetchLayer(blob: descriptor, diffID: .sha256(tar)) { writer in
                for start in stride(from: 0, to: blob.count, by: 3000) {
                    try writer.write(blob[start..<min(start + 3000, blob.count)])
                }
            }
            #expect(unpacked)
            #expect(FileManager.default.isExecutableFile(atPath: directory + "/bin/busybox"))
            #expect(try store.readBlob(descriptor.digest, limit: 64 << 20) == blob)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/images/tmp").isEmpty)
        }
    }

    /// A fetch that fails half-way or delivers other bytes keeps neither blob nor layer
    /// (a wrong diff ID keeps the verified blob), and fails with the fetch's own error.
    @Test(arguments: ["transfer error", "altered byte", "wrong diff ID"])
    func fetchLayerKeepsNothingUnverified(failure: String) throws {
        try withStore { store, root throws in
            var tar = ImageTarBuilder()
            tar.file("data", String(repeating: "swiftlet ", count: 100_000))
            let archive = tar.finished()
            let blob = ImageFixtures.compress(archive, .gzip)
            let descriptor = ContentDescriptor(mediaType: MediaType.ociLayerGzip, digest: .sha256(blob), size: Int64(blob.count))
            let diffID = failure == "wrong diff ID" ? Digest.sha256(Data("other".utf8)) : Digest.sha256(archive)
            var sent = blob
            if failure == "altered byte" { sent[sent.count / 2] ^= 0xff }
            let expected: ImageError
            switch failure {
            case "transfer error": expected = .invalidContent(file: "registry", reason: "connection reset")
            case "altered byte": expected = .digestMismatch(expected: descriptor.digest.description, actual: Digest.sha256(sent).description)
            default: expected = .digestMismatch(expected: diffID.description, actual: Digest.sha256(archive).description)
            }
            #expect(throws: expected) {
                try store.fetchLayer(blob: descriptor, diffID: diffID) { writer in
                    try writer.write(sent.prefix(sent.count / 2))
                    if failure == "transfer error" { throw expected as Error }
                    try writer.write(sent.dropFirst(sent.count / 2))
                }
            }
            #expect(store.hasBlob(descriptor.digest) == (failure == "wrong diff ID"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/images/layers/sha256").isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/images/tmp").isEmpty)
        }
    }

    @Test func uncompressedAndZstdLayers() throws {
        try withStore { store, root in
            var base = ImageTarBuilder()
            base.file("base.txt", "base")
            var top = ImageTarBuilder()
            top.file("top.txt", "top")
            try ImageFixtures.makeLayout(at: root + "/plain", layers: [base.finished()], compression: .none)
            try ImageFixtures.makeLayout(at: root + "/zstd", layers: [base.finished(), top.finished()], compression: .zstd)
            try store.importImage(from: root + "/plain", name: "plain")
            try store.importImage(from: root + "/zstd", name: "zstd")
            let plain = try store.resolve("plain")
            let zstd = try store.resolve("zstd")
            // Same diff ID whatever the compression: one unpacked dir.
            #expect(zstd.layerDirectories[0] == plain.layerDirectories[0])
            #expect(try String(contentsOfFile: zstd.layerDirectories[1] + "/top.txt", encoding: .utf8) == "top")
        }
    }

    @Test func layoutWithSeveralTagsNeedsAMatchingName() throws {
        try withStore { store, root in
            var tar = ImageTarBuilder()
            tar.file("a", "a")
            try ImageFixtures.makeLayout(at: root + "/layout", layers: [tar.finished()], tag: "v1")
            // A second manifest under another tag, in the same index.
            var index = try JSONDecoder().decode(OCIIndex.self, from: Data(contentsOf: URL(fileURLWithPath: root + "/layout/index.json")))
            var second = index.manifests[0]
            second.annotations = [ContentDescriptor.refNameAnnotation: "v2"]
            index.manifests.append(second)
            try JSONEncoder().encode(index).write(to: URL(fileURLWithPath: root + "/layout/index.json"))
            #expect(try store.importImage(from: root + "/layout", name: "app:v2").map(\.reference.description) == ["docker.io/library/app:v2"])
            do {
                try store.importImage(from: root + "/layout", name: "app:v3")
                Issue.record("imported an untagged name")
            } catch {
                #expect("\(error)" == "\(root)/layout/index.json: 2 images and none tagged v3 (tags: v1, v2)")
            }
        }
    }

    @Test func notALayoutIsAClearError() throws {
        try withStore { store, root in
            try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
            #expect(throws: ImageError.invalidContent(file: root + "/empty", reason: "neither an OCI image layout (no index.json) nor a docker-archive (no manifest.json)")) {
                try store.importImage(from: root + "/empty", name: "x")
            }
            #expect(throws: ImageError.invalidReference("Bad", reason: "repository name must be lowercase")) {
                try store.importImage(from: ImageFixtures.testLayout, name: "Bad")
            }
            #expect(throws: ImageError.self) { try store.importImage(from: root + "/missing", name: "x") }
        }
    }

    @Test func importsADockerArchive() throws {
        try withStore { store, root in
            let archive = root + "/docker"
            try FileManager.default.createDirectory(atPath: archive + "/abc", withIntermediateDirectories: true)
            let layerTar = try ImageFixtures.testImageLayerTar()
            try layerTar.write(to: URL(fileURLWithPath: archive + "/abc/layer.tar"))
            let config = ImageConfig(architecture: "amd64", os: "linux", config: .init(entrypoint: ["/bin/sh"], cmd: ["-c", "echo hi"]),
                                     rootfs: .init(diffIDs: [Digest.sha256(layerTar)]))
            let configData = try JSONEncoder().encode(config)
            try configData.write(to: URL(fileURLWithPath: "\(archive)/\(Digest.sha256(configData).hex).json"))
            let manifest = #"[{"Config":"\#(Digest.sha256(configData).hex).json","RepoTags":["example.com/tools:1","tools:latest"],"Layers":["abc/layer.tar"]}]"#
            try Data(manifest.utf8).write(to: URL(fileURLWithPath: archive + "/manifest.json"))
            let tarPath = root + "/docker.tar"
            #expect(ImageFixtures.run("/bin/tar", ["-C", archive, "-cf", tarPath, "manifest.json", "abc", "\(Digest.sha256(configData).hex).json"]) == 0)

            let imported = try store.importImage(from: tarPath)
            #expect(imported.map(\.reference.description) == ["example.com/tools:1", "docker.io/library/tools:latest"])
            let image = try store.resolve("tools")
            #expect(image.config.config?.entrypoint == ["/bin/sh"])
            #expect(image.manifest.layers[0].mediaType == MediaType.ociLayer)
            #expect(FileManager.default.isExecutableFile(atPath: image.layerDirectories[0] + "/bin/busybox"))
        }
    }

    @Test func removeThenPruneFreesEverything() throws {
        try withStore { store, root in
            try store.importImage(from: ImageFixtures.testLayout, name: "busybox")
            try store.importImage(from: ImageFixtures.testLayout, name: "second")
            try store.remove("busybox")
            // Still named by "second": nothing to prune.
            #expect(try store.prune() == PruneReport())
            try store.remove("second")
            #expect(throws: ImageError.notFound("docker.io/library/second:latest")) { try store.remove("second") }
            let report = try store.prune()
            #expect(report.blobs.count == 3)
            #expect(report.layers.count == 1)
            #expect(report.reclaimedBytes > 500_000)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/images/blobs/sha256").isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/images/layers/sha256").isEmpty)
            #expect(throws: ImageError.notFound("docker.io/library/busybox:latest")) { try store.resolve("busybox") }
        }
    }

    @Test func pruneKeepsLayersStillMounted() throws {
        try withStore { store, _ in
            let image = try store.importImage(from: ImageFixtures.testLayout, name: "busybox")[0]
            let info = try store.resolve(image.reference.description)
            try store.remove("busybox")
            let report = try store.prune(keepingLayers: Set(info.config.rootfs.diffIDs))
            #expect(report.layers.isEmpty)
            #expect(FileManager.default.fileExists(atPath: info.layerDirectories[0] + "/bin/busybox"))
        }
    }
}

/// Collects results from concurrent work.
final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<(directory: String, unpacked: Bool), Error>] = []
    func append(_ result: Result<(directory: String, unpacked: Bool), Error>) {
        lock.lock()
        results.append(result)
        lock.unlock()
    }
    var all: [Result<(directory: String, unpacked: Bool), Error>] {
        lock.lock()
        defer { lock.unlock() }
        return results
    }
}
