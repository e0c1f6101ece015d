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
}
