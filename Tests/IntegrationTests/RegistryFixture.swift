import Foundation
@testable import Images

/// A Debian `docker-registry` on 127.0.0.1 for one test, with its config and storage in a
/// temp dir; optionally htpasswd auth behind a self-signed TLS certificate. Images go in
/// with `push`, a small client of the distribution spec's upload API driven through curl.
final class RegistryFixture: @unchecked Sendable {
    let port: Int
    let base: String
    let tls: Bool
    /// user:password accepted when auth is on.
    let login: (user: String, password: String)?
    private var process: Process?

    nonisolated(unsafe) private static var nextPort = 5001
    private static let portLock = NSLock()

    /// The CA (self-signed certificate) a TLS registry presents.
    var caFile: String { base + "/tls/registry.crt" }
    var storage: String { base + "/storage" }
    var authority: String { "127.0.0.1:\(port)" }
    var logText: String { (try? String(contentsOfFile: base + "/registry.log", encoding: .utf8)) ?? "" }

    /// Starts a registry on `port` (default: a port of its own), waiting until it answers.
    init(port: Int? = nil, tls: Bool = false, login: (user: String, password: String)? = nil) throws {
        if let port {
            self.port = port
        } else {
            Self.portLock.lock()
            self.port = Self.nextPort
            Self.nextPort += 1
            Self.portLock.unlock()
        }
        self.tls = tls
        self.login = login
        base = ImageFixtures.temporaryDirectory("registry")
        var config = """
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: \(base)/storage
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(self.port)

            """
        if tls {
            try FileManager.default.createDirectory(atPath: base + "/tls", withIntermediateDirectories: true)
            try Self.check(ImageFixtures.run("/usr/bin/openssl", [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", base + "/tls/registry.key", "-out", caFile,
            ]), "openssl req")
            config += """
                  tls:
                    certificate: \(caFile)
                    key: \(base)/tls/registry.key

                """
        }
        if let login {
            var out = Data()
            try Self.check(ImageFixtures.run("/usr/bin/htpasswd", ["-Bbn", login.user, login.password], output: &out), "htpasswd")
            try out.write(to: URL(fileURLWithPath: base + "/htpasswd"))
            config += """
                auth:
                  htpasswd:
                    realm: swiftlet-test
                    path: \(base)/htpasswd

                """
        }
        try config.write(toFile: base + "/config.yml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", base + "/config.yml"]
        FileManager.default.createFile(atPath: base + "/registry.log", contents: nil)
        let log = FileHandle(forWritingAtPath: base + "/registry.log")!
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if Self.accepts(port: self.port) { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        stop()
        throw RegistryFixtureError("docker-registry did not start on \(authority): \(logText)")
    }

    deinit { stop() }

    /// Stops the registry (by its PID) and removes its temp dir.
    func stop() {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        process = nil
        try? FileManager.default.removeItem(atPath: base)
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func check(_ status: Int32, _ what: String) throws {
        guard status == 0 else { throw RegistryFixtureError("\(what) exited with \(status)") }
    }

    // MARK: push

    private var scheme: String { tls ? "https" : "http" }

    private func curl(_ arguments: [String], body: Data? = nil) throws -> String {
        var args = ["-sS", "--fail-with-body", "-o", "/dev/null", "-w", "%header{location}"]
        if tls { args += ["--cacert", caFile] }
        if let login { args += ["-u", "\(login.user):\(login.password)"] }
        var bodyFile: String?
        if let body {
            let path = base + "/upload-\(UUID().uuidString)"
            try body.write(to: URL(fileURLWithPath: path))
            bodyFile = path
            args += ["--data-binary", "@" + path]
        }
        defer { if let bodyFile { unlink(bodyFile) } }
        var out = Data()
        try Self.check(ImageFixtures.run("/usr/bin/curl", args + arguments, output: &out), "curl \(arguments.joined(separator: " "))")
        return String(decoding: out, as: UTF8.self)
    }

    /// Uploads a blob (POST then PUT with its digest); returns its descriptor.
    @discardableResult
    func pushBlob(_ repository: String, _ data: Data, mediaType: String) throws -> ContentDescriptor {
        let digest = Digest.sha256(data)
        var location = try curl(["-X", "POST", "\(scheme)://\(authority)/v2/\(repository)/blobs/uploads/"])
        if location.hasPrefix("/") { location = "\(scheme)://\(authority)" + location }
        location += (location.contains("?") ? "&" : "?") + "digest=\(digest)"
        _ = try curl(["-X", "PUT", "-H", "Content-Type: application/octet-stream", location], body: data)
        return ContentDescriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
    }

    /// Uploads a manifest or index under `reference` (a tag or its digest).
    @discardableResult
    func pushManifest(_ repository: String, _ reference: String, _ data: Data, mediaType: String) throws -> ContentDescriptor {
        _ = try curl(["-X", "PUT", "-H", "Content-Type: \(mediaType)", "\(scheme)://\(authority)/v2/\(repository)/manifests/\(reference)"],
                     body: data)
        return ContentDescriptor(mediaType: mediaType, digest: Digest.sha256(data), size: Int64(data.count))
    }

    /// Pushes an image made of `layers` (uncompressed tars, base first) and tags it; returns
    /// the manifest's descriptor.
    @discardableResult
    func pushImage(_ repository: String, tag: String, layers: [Data], compression: ImageFixtures.Compression = .gzip,
                   architecture: String = "amd64", docker: Bool = false, defaults: ImageConfig.ContainerDefaults? = nil) throws -> ContentDescriptor {
        let layerType: String
        switch compression {
        case .none: layerType = MediaType.ociLayer
        case .gzip: layerType = docker ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip
        case .zstd: layerType = MediaType.ociLayerZstd
        }
        let descriptors = try layers.map { try pushBlob(repository, ImageFixtures.compress($0, compression), mediaType: layerType) }
        let config = ImageConfig(architecture: architecture, os: "linux", config: defaults, rootfs: .init(diffIDs: layers.map { Digest.sha256($0) }))
        let configBlob = try pushBlob(repository, try JSONEncoder().encode(config), mediaType: docker ? MediaType.dockerConfig : MediaType.ociConfig)
        let manifestType = docker ? MediaType.dockerManifest : MediaType.ociManifest
        let manifest = OCIManifest(mediaType: manifestType, config: configBlob, layers: descriptors)
        return try pushManifest(repository, tag, try JSONEncoder().encode(manifest), mediaType: manifestType)
    }

    /// Where the registry keeps a blob's bytes (to alter them behind its back).
    func blobDataPath(_ digest: Digest) -> String {
        "\(storage)/docker/registry/v2/blobs/sha256/\(digest.hex.prefix(2))/\(digest.hex)/data"
    }
}

struct RegistryFixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension RegistryFixture {
    /// Pushes the first image of an OCI layout (the busybox test image) as repository:tag.
    @discardableResult
    func pushLayout(_ layout: String, as repository: String, tag: String) throws -> ContentDescriptor {
        func read(_ digest: Digest) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(digest.hex)")) }
        let index = try JSONDecoder().decode(OCIIndex.self, from: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")))
        let manifestData = try read(index.manifests[0].digest)
        let manifest = try OCIManifest.decode(manifestData, file: "layout manifest")
        try pushBlob(repository, try read(manifest.config.digest), mediaType: manifest.config.mediaType)
        for layer in manifest.layers { try pushBlob(repository, try read(layer.digest), mediaType: layer.mediaType) }
        return try pushManifest(repository, tag, manifestData, mediaType: manifest.mediaType ?? MediaType.ociManifest)
    }
}
