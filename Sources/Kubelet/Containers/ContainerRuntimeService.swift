import Foundation
import Runtime

/// One container instance as the kubelet sees it on disk: whose it is, and how it fares.
public struct ContainerInstance: Sendable, Equatable {
    public var id: String
    public var labels: ContainerLabels
    public var monitor: MonitorRecord?
    public var exit: ExitRecord?
    /// Set when no monitor ever ran it and none will: its creation was cut short (the
    /// agent creating it was killed). It is removed and created again, not restarted.
    public var interrupted = false

    /// Its monitor runs but has not yet said whether the container started.
    public var isStarting: Bool { exit == nil && monitor == nil && !interrupted }

    public var observation: ContainerObservation? {
        if let exit {
            return ContainerObservation(id: id, name: labels.containerName, attempt: labels.attempt, state: .exited(exit, startedAt: monitor?.startedAt))
        }
        guard let monitor else { return nil }
        return ContainerObservation(id: id, name: labels.containerName, attempt: labels.attempt, state: .running(startedAt: monitor.startedAt))
    }
}

/// The output and exit code of a command run in a container.
public struct ExecResult: Sendable, Equatable {
    public var exitCode: Int32
    public var output: String
    public var timedOut: Bool
}

/// The container runtime as the kubelet sees it (the CRI's runtime service): start a
/// container under a monitor, list what runs, signal, exec, remove.
public protocol ContainerRuntimeService: Sendable {
    /// Creates the container's directory and mounts its rootfs over the image layers
    /// (lowest first); returns the rootfs path.
    func prepare(id: String, labels: ContainerLabels, layers: [String]) throws -> String
    /// Writes the OCI spec and starts the container under its monitor; returns once its
    /// init runs, or throws why not (the caller then removes it).
    func start(id: String, spec: Spec, logPath: String) throws
    /// Every container instance of the pod, from disk (so a restarted agent sees them too).
    func instances(podUID: String) -> [ContainerInstance]
    /// Refreshes one instance's monitor and exit records.
    func refresh(_ instance: ContainerInstance) -> ContainerInstance
    /// Sends a signal to every process of the container.
    func signal(id: String, _ signal: Int32)
    /// Runs a command in the running container.
    func exec(id: String, command: [String], timeout: TimeInterval) -> ExecResult
    /// Removes a stopped container: its rootfs mount, bundle and runtime state.
    func remove(id: String)
}

/// The container id the kubelet gives an instance: pod uid, container name and attempt, so
/// a pod's containers are found by prefix.
public enum ContainerID {
    public static func make(podUID: String, container: String, attempt: Int) -> String {
        "\(podUID)-\(container)-\(attempt)"
    }
    public static func prefix(podUID: String) -> String { podUID + "-" }
}
