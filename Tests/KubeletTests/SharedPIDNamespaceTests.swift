import Foundation
import Runtime
import Testing
@testable import Kubelet

/// The shared PID namespace's holder is known by pid and start time: a recycled pid is not
/// taken for it, and `remove` never kills a process that is not the holder.
@Suite struct SharedPIDNamespaceTests {
    @Test func aRecycledPidIsNeverTakenForTheHolder() throws {
        let directory = NSTemporaryDirectory() + "pid-ns-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bystander = Process()
        bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
        bystander.arguments = ["100"]
        try bystander.run()
        defer { if bystander.isRunning { bystander.terminate() } }
        let pid = bystander.processIdentifier
        let startTime = try #require(LiveProcess.stat(pid)?.startTime)
        let shared = SharedPIDNamespace(directory: directory)

        // A record naming this pid with another start time: some earlier holder, long gone.
        try "\(pid) \(startTime + 1)\n".write(toFile: shared.recordPath, atomically: true, encoding: .utf8)
        #expect(shared.holder == nil)
        shared.remove()
        #expect(bystander.isRunning, "remove() must not kill a process that merely reuses the pid")

        // A record of a pid alone (no start time) is not trusted either.
        try "\(pid)\n".write(toFile: shared.recordPath, atomically: true, encoding: .utf8)
        #expect(shared.holder == nil)

        try "\(pid) \(startTime)\n".write(toFile: shared.recordPath, atomically: true, encoding: .utf8)
        #expect(shared.holder == pid)
        shared.remove()
        bystander.waitUntilExit()
        #expect(bystander.terminationReason == .uncaughtSignal && bystander.terminationStatus == SIGKILL)
    }
}
