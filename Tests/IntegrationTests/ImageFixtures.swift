import Foundation
import Runtime
@testable import Images

/// Test images: the busybox OCI layout from scripts/make-test-image.sh (built once per
/// test run), and small layouts assembled from crafted layer tars.
enum ImageFixtures {
    /// OUTDIR of scripts/make-test-image.sh; `<dir>/oci` is the layout.
    static let testImage: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-image-fixture-\(getpid())").path
        let status = run(packageRoot + "/scripts/make-test-image.sh", [dir])
        precondition(status == 0, "scripts/make-test-image.sh failed")
        atexit { try? FileManager.default.removeItem(atPath: ImageFixtures.testImage) }
        return dir
    }()

    static var testLayout: String { testImage + "/oci" }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], input: Data? = nil, output: UnsafeMutablePointer<Data>? = nil) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let outPipe = Pipe()
        process.standardOutput = outPipe
        // Input goes through a file: a pipe would deadlock against the unread output.
        let inputPath = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-input-\(UUID().uuidString)").path
        defer { unlink(inputPath) }
        if let input {
            FileManager.default.createFile(atPath: inputPath, contents: input)
            process.standardInput = FileHandle(forReadingAtPath: inputPath)
        }
        do { try process.run() } catch { return -1 }
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        output?.pointee = out
        return process.terminationStatus
    }

    /// A fresh temp dir, removed by the caller.
    static func temporaryDirectory(_ label: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-\(label)-\(UUID().uuidString.prefix(8))").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    enum Compression { case none, gzip, zstd }

    static func compress(_ tar: Data, _ compression: Compression) -> Data {
        var out = Data()
        switch compression {
        case .none: return tar
        case .gzip: precondition(run("/bin/gzip", ["-c", "-n"], input: tar, output: &out) == 0)
        case .zstd: precondition(run("/usr/bin/zstd", ["-c", "-q"], input: tar, output: &out) == 0)
        }
        return out
    }

    /// Writes an OCI image layout at `dir` whose layers are `layers` (uncompressed tars,
    /// base first) stored with `compression`, tagged `tag`.
    static func makeLayout(at dir: String, layers: [Data], compression: Compression = .gzip, tag: String = "latest",
                           defaults: ImageConfig.ContainerDefaults? = nil) throws {
        let blobs = dir + "/blobs/sha256"
        try FileManager.default.createDirectory(atPath: blobs, withIntermediateDirectories: true)
        func blob(_ data: Data, _ mediaType: String) throws -> ContentDescriptor {
            let digest = Digest.sha256(data)
            try data.write(to: URL(fileURLWithPath: "\(blobs)/\(digest.hex)"))
            return ContentDescriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
        }
        let layerType: String
        switch compression {
        case .none: layerType = MediaType.ociLayer
        case .gzip: layerType = MediaType.ociLayerGzip
        case .zstd: layerType = MediaType.ociLayerZstd
        }
        let layerDescriptors = try layers.map { try blob(compress($0, compression), layerType) }
        let config = ImageConfig(architecture: "amd64", os: "linux", config: defaults,
                                 rootfs: .init(diffIDs: layers.map { Digest.sha256($0) }))
        let encoder = JSONEncoder()
        let configDescriptor = try blob(try encoder.encode(config), MediaType.ociConfig)
        let manifest = OCIManifest(config: configDescriptor, layers: layerDescriptors)
        var manifestDescriptor = try blob(try encoder.encode(manifest), MediaType.ociManifest)
        manifestDescriptor.annotations = [ContentDescriptor.refNameAnnotation: tag]
        try encoder.encode(OCIIndex(manifests: [manifestDescriptor])).write(to: URL(fileURLWithPath: dir + "/index.json"))
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/oci-layout"))
    }

    /// The uncompressed tar of the busybox test image's only layer.
    static func testImageLayerTar() throws -> Data {
        let index = try JSONDecoder().decode(OCIIndex.self, from: Data(contentsOf: URL(fileURLWithPath: testLayout + "/index.json")))
        let manifest = try JSONDecoder().decode(OCIManifest.self, from: Data(contentsOf: URL(fileURLWithPath: "\(testLayout)/blobs/sha256/\(index.manifests[0].digest.hex)")))
        let gz = try Data(contentsOf: URL(fileURLWithPath: "\(testLayout)/blobs/sha256/\(manifest.layers[0].digest.hex)"))
        var out = Data()
        precondition(run("/bin/gzip", ["-d", "-c"], input: gz, output: &out) == 0)
        return out
    }
}
