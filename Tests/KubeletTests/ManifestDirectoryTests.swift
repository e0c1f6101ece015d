import Foundation
import Testing
@testable import Kubelet

@Suite struct ManifestDirectoryTests {
    @Test func readsRegularFilesInOrderSkippingDotfilesAndDirectories() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "b".write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        try "a".write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try "hidden".write(toFile: dir + "/.swp", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
        let files = try ManifestDirectory(path: dir).read().map { try $0.get() }
        #expect(files.map(\.name) == ["a.yaml", "b.yaml"])
        #expect(files[0].contents == Data("a".utf8))
    }

    @Test func refusesFilesOverTenMegabytes() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let big = Data(count: ManifestDirectory.maxFileSize + 1)
        FileManager.default.createFile(atPath: dir + "/big.yaml", contents: big)
        let results = try ManifestDirectory(path: dir).read()
        guard case .failure(let error) = results.first else {
            Issue.record("a file over 10 MB was read")
            return
        }
        #expect(error.description.hasPrefix("big.yaml: file is 10485761 bytes, over the"))
    }

    @Test func watcherWakesOnAWriteAndTimesOutOtherwise() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let watcher = try DirectoryWatcher(path: dir)
        #expect(watcher.wait(timeout: 0.05) == false)
        try "x".write(toFile: dir + "/pod.yaml", atomically: true, encoding: .utf8)
        #expect(watcher.wait(timeout: 5) == true)
        #expect(watcher.wait(timeout: 0.05) == false)
    }
}

/// A new empty directory under the temp dir; the test removes it.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "manifests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
