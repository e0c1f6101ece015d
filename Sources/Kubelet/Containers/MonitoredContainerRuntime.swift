import Foundation
import Logging
import Images
import Runtime

/// The real `ContainerRuntimeService`: each container is an OCI bundle under
/// `<root>/containers/<id>` whose rootfs is an overlay over the image's layers, run by the
/// Swiftlet runtime under its own `swiftlet monitor` daemon.
public struct MonitoredContainerRuntime: ContainerRuntimeService {
    public let layout: NodeLayout
    public let runtime: ContainerRuntime
    public let launcher: MonitorLauncher
    public let logger: Logger

    public init(layout: NodeLayout, launcher: MonitorLauncher, logger: Logger) {
        self.layout = layout
        self.runtime = ContainerRuntime(root: layout.runtimeRoot)
        self.launcher = launcher
        self.logger = logger
    }

    public func prepare(id: String, labels: ContainerLabels, layers: [String]) throws -> String {
        let files = layout.container(id: id)
        try FileManager.default.createDirectory(atPath: files.rootfsPath, withIntermediateDirectories: true)
        try files.writeLabels(labels)
        try rootfs(files, layers: layers).mount(logger: logger)
        return files.rootfsPath
    }

    public func start(id: String, spec: Spec, logPath: String) throws {
        let files = layout.container(id: id)
        var spec = spec
        spec.root?.path = "rootfs"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try encoder.encode(spec), to: files.configPath)
        try FileManager.default.createDirectory(atPath: (logPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try launcher.launch(files: files, logPath: logPath)
    }

    func rootfs(_ files: ContainerFiles, layers: [String] = []) -> RootfsMount {
        RootfsMount(layers: layers, containerDirectory: files.directory, target: files.rootfsPath)
    }

    public func instances(podUID: String) -> [ContainerInstance] {
        let prefix = ContainerID.prefix(podUID: podUID)
        return ContainerFiles.all(root: layout.root).filter { $0.hasPrefix(prefix) }.compactMap { id in
            let files = layout.container(id: id)
            guard let labels = files.labels(), labels.podUID == podUID else { return nil }
            return refresh(ContainerInstance(id: id, labels: labels))
        }
    }

    public func refresh(_ instance: ContainerInstance) -> ContainerInstance {
        guard instance.exit == nil else { return instance }
        var instance = instance
        let files = layout.container(id: instance.id)
        if instance.monitor == nil { instance.monitor = files.monitor() }
        instance.exit = files.exit()
        guard instance.exit == nil, !files.monitorRunning() else { return instance }
        // No monitor holds the lock: it has ended or never ran. One that ends records the
        // exit first, so look again before deciding it died.
        if let exit = files.exit() {
            instance.exit = exit
            return instance
        }
        instance.monitor = instance.monitor ?? files.monitor()
        guard instance.monitor != nil else {
            // Never run: the agent creating it died before its monitor started it.
            instance.interrupted = true
            return instance
        }
        // The monitor died without recording an exit: the container's fate is unknown,
        // so make sure it is gone and report it as killed (upstream's ContainerStatusUnknown).
        logger.warning("monitor of container \(instance.id) is gone; stopping the container")
        try? runtime.kill(id: instance.id, signal: SIGKILL, all: true)
        try? runtime.delete(id: instance.id, force: true)
        let record = ExitRecord(
            exitCode: 137, signal: SIGKILL, oomKilled: false, finishedAt: Date(),
            message: "The container's monitor exited unexpectedly; the container was killed")
        try? files.writeExit(record)
        instance.exit = record
        return instance
    }

    public func signal(id: String, _ signal: Int32) {
        do {
            try runtime.kill(id: id, signal: signal, all: true)
        } catch {
            logger.debug("signal \(signal) to \(id): \(error)")
        }
    }

    public func exec(id: String, command: [String], timeout: TimeInterval) -> ExecResult {
        ContainerExec.run(runtime: runtime, files: layout.container(id: id), command: command, timeout: timeout)
    }

    public func remove(id: String) {
        let files = layout.container(id: id)
        if files.exit() == nil, files.monitorRunning() {
            try? runtime.kill(id: id, signal: SIGKILL, all: true)
            // Its monitor records the exit and ends; let it, so it writes into no removed directory.
            let deadline = Date().addingTimeInterval(5)
            while files.monitorRunning() && Date() < deadline { usleep(10_000) }
        }
        try? runtime.delete(id: id, force: true)
        try? rootfs(files).unmount()
        try? FileManager.default.removeItem(atPath: files.directory)
    }
}
