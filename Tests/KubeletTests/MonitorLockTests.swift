import Foundation
import Testing
@testable import Kubelet

/// A container's monitor is alive exactly while its lock is held: the launcher takes it,
/// the monitor inherits it, the kernel drops it when the monitor ends.
@Suite struct MonitorLockTests {
    @Test func heldLockMeansARunningMonitorAndExcludesASecond() throws {
        let root = NSTemporaryDirectory() + "monitor-lock-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = ContainerFiles(root: root, id: "pod-c-0")
        #expect(!files.monitorRunning(), "no lock file: no monitor")
        try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: true)
        let fd = try files.lockForMonitor()
        #expect(files.monitorRunning())
        #expect(files.monitorRunning(), "a probe does not take the lock away")
        #expect(throws: KubeletError("lock \(files.monitorLockPath): a monitor already runs container pod-c-0")) {
            try files.lockForMonitor()
        }
        close(fd)
        #expect(!files.monitorRunning(), "the lock went with its holder")
        close(try files.lockForMonitor())
    }

    /// The agent probes while a launcher locks (a restart beside a probe): a probe must never
    /// be mistaken for a running monitor.
    @Test func probesNeverMakeALauncherFail() throws {
        let root = NSTemporaryDirectory() + "monitor-lock-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = ContainerFiles(root: root, id: "pod-c-0")
        try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: true)
        close(try files.lockForMonitor())
        let stop = ManagedAtomicFlag()
        let prober = Thread { while !stop.isSet { _ = files.monitorRunning() } }
        prober.start()
        defer { stop.set() }
        for _ in 0..<2000 { close(try files.lockForMonitor()) }
    }
}

/// A flag one thread sets and another polls.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
