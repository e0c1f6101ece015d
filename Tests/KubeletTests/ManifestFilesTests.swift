import Foundation
import Testing
@testable import Kubelet

@Suite struct ManifestFilesTests {
    static func manifest(image: String) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: page}
        data: {index.html: hello}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers: [{name: httpd, image: \(image)}]
        """
    }

    @Test func applySaysCreatedThenUnchangedThenConfiguredAsKubectl() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/web.yaml"
        let manifests = dir + "/manifests"
        try Self.manifest(image: "busybox").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try ManifestFiles.apply(file: file, directory: manifests) == "configmap/page created\npod/web created")
        #expect(try ManifestFiles.apply(file: file, directory: manifests) == "configmap/page unchanged\npod/web unchanged")
        try Self.manifest(image: "busybox:2").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try ManifestFiles.apply(file: file, directory: manifests) == "configmap/page unchanged\npod/web configured")
        #expect(FileManager.default.contents(atPath: manifests + "/web.yaml") == FileManager.default.contents(atPath: file))
    }

    @Test func applyRefusesABadManifestAndLeavesTheDirectoryAlone() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/bad.yaml"
        try "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: []}\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: KubeletError.self) { try ManifestFiles.apply(file: file, directory: dir + "/manifests") }
        #expect(!FileManager.default.fileExists(atPath: dir + "/manifests/bad.yaml"))
    }
}
