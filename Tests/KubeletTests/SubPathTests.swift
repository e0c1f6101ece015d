import Foundation
import Testing

@testable import Kubelet

@Suite struct SubPathTests {
    func makeVolume() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("subpath-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/vol/data", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/outside", withIntermediateDirectories: true)
        return dir
    }

    @Test func resolvesAndCreatesInsideTheVolume() throws {
        let dir = try makeVolume()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try SubPath.resolve(volume: dir + "/vol", subPath: "data/new/deeper")
        #expect(path.hasSuffix("/vol/data/new/deeper"))
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue)
    }

    @Test func refusesEscapes() throws {
        let dir = try makeVolume()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/vol/abs", withDestinationPath: dir + "/outside")
        try FileManager.default.createSymbolicLink(atPath: dir + "/vol/rel", withDestinationPath: "../outside")
        try FileManager.default.createSymbolicLink(atPath: dir + "/vol/inside", withDestinationPath: "data")
        for bad in ["abs", "rel/x", "../outside", "/etc", "data/../../outside"] {
            #expect(throws: KubeletError.self, "\(bad)") { try SubPath.resolve(volume: dir + "/vol", subPath: bad) }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/outside/x"))
        #expect(try SubPath.resolve(volume: dir + "/vol", subPath: "inside").hasSuffix("/vol/data"))
    }
}
