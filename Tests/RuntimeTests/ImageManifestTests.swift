import Foundation
import Testing

@testable import Runtime
@testable import Images

@Suite struct ImageManifestTests {
    @Test func digestOfKnownBytes() throws {
        #expect(Digest.sha256(Data("abc".utf8)).description
            == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let digest = try Digest("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        try digest.verify(Data("abc".utf8))
        #expect(throws: ImageError.digestMismatch(expected: digest.description, actual: Digest.sha256(Data("abd".utf8)).description)) {
            try digest.verify(Data("abd".utf8))
        }
    }

    @Test func decodesDockerConfigFields() throws {
        let json = """
            {"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
             "config":{"User":"app","Env":["A=1"],"Entrypoint":["/e"],"Cmd":["c"],"WorkingDir":"/w",
                       "ExposedPorts":{"80/tcp":{}}},
             "rootfs":{"type":"layers","diff_ids":["sha256:\(String(repeating: "0", count: 64))"]}}
            """
        let config = try ImageConfig.decode(Data(json.utf8), file: "config.json")
        #expect(config.config?.user == "app")
        #expect(config.config?.entrypoint == ["/e"])
        #expect(config.config?.cmd == ["c"])
        #expect(config.config?.workingDir == "/w")
        #expect(config.rootfs.diffIDs.count == 1)
    }

    @Test func badConfigNamesFileAndField() {
        let json = #"{"config":{"Env":"A=1"},"rootfs":{"type":"layers","diff_ids":[]}}"#
        do {
            _ = try ImageConfig.decode(Data(json.utf8), file: "blobs/sha256/x")
            Issue.record("decoded")
        } catch {
            #expect("\(error)".hasPrefix("blobs/sha256/x: not an image config: config.Env"), "\(error)")
        }
    }

    @Test func manifestWithUnknownLayerTypeIsRefused() {
        let zero = "sha256:" + String(repeating: "0", count: 64)
        let json = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"\(zero)","size":1},
             "layers":[{"mediaType":"application/vnd.example.blob","digest":"\(zero)","size":1}]}
            """
        #expect(throws: ImageError.invalidContent(file: "m", reason: "layers[0].mediaType application/vnd.example.blob is not a layer type")) {
            try OCIManifest.decode(Data(json.utf8), file: "m")
        }
    }

    @Test func indexPicksHostPlatform() throws {
        let d = { (c: Character) in try Digest("sha256:" + String(repeating: c, count: 64)) }
        let index = OCIIndex(manifests: [
            ContentDescriptor(mediaType: MediaType.ociManifest, digest: try d("1"), size: 1, platform: Platform(architecture: "arm64", os: "linux", variant: "v8")),
            ContentDescriptor(mediaType: MediaType.ociManifest, digest: try d("2"), size: 1, platform: Platform(architecture: "amd64", os: "linux")),
        ])
        #expect(index.manifest(for: Platform(architecture: "amd64", os: "linux"))?.digest == (try d("2")))
        #expect(index.manifest(for: Platform(architecture: "arm64", os: "linux"))?.digest == (try d("1")))
        #expect(index.manifest(for: Platform(architecture: "s390x", os: "linux")) == nil)
    }

    @Test func rootfsOverlayOptionsListTopLayerFirst() {
        let mount = RootfsMount(layers: ["/l/base", "/l/top:x"], containerDirectory: "/c", target: "/c/rootfs")
        #expect(mount.options == #"lowerdir=/l/top\:x:/l/base,upperdir=/c/upper,workdir=/c/work,index=off"#)
    }
}
