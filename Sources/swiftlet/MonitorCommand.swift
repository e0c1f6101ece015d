import ArgumentParser
import Foundation
import Kubelet
import Runtime

/// `swiftlet monitor`: the hidden per-container monitor the agent starts (conmon-style).
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Run one container under a monitor (started by the agent).",
        shouldDisplay: false
    )

    @Option(help: "The OCI runtime's state directory.") var runtimeRoot: String
    @Option(help: "The container's bundle directory.") var bundle: String
    @Option(help: "The container id.") var id: String
    @Option(help: "The CRI log file.") var log: String
    @Option(help: "A file descriptor to report readiness on.") var readyFD: Int32 = -1
    @Option(help: "The inherited descriptor holding the container's monitor lock.") var lockFD: Int32 = -1

    func run() throws {
        let root = URL(fileURLWithPath: bundle).deletingLastPathComponent().deletingLastPathComponent().path
        let monitor = ContainerMonitor(
            runtime: ContainerRuntime(root: runtimeRoot), files: ContainerFiles(root: root, id: id),
            logPath: log, readyFD: readyFD, lockFD: lockFD)
        throw ExitCode(monitor.run())
    }
}
