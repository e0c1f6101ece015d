import Foundation
import Testing
@testable import Kubelet

@Suite(.enabled(if: isRoot)) struct SandboxNamespacesTests {
    @Test func pinnedNamespacesCarryTheHostnameAndVanishOnRemove() throws {
        let dir = NSTemporaryDirectory() + "sandbox-" + UUID().uuidString
        let sandbox = SandboxNamespaces(directory: dir)
        try sandbox.create(hostname: "web-node1")
        #expect(sandbox.exists)
        let hostname = try run("/usr/bin/nsenter", ["--uts=" + sandbox.utsPath, "hostname"])
        #expect(hostname == "web-node1\n")
        // A fresh network namespace holds only a downed loopback.
        let links = try run("/usr/bin/nsenter", ["--net=" + sandbox.networkPath, "ip", "-o", "link"])
        #expect(links.split(separator: "\n").count == 1)
        #expect(links.contains("lo:"))
        try sandbox.remove()
        #expect(!sandbox.exists)
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
