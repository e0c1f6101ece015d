import Foundation
import KubeAPI

/// Runs one probe or lifecycle handler of a container: exec in the container, httpGet or
/// tcpSocket to the pod's IP (or the handler's host).
struct ProbeRunner {
    let containers: ContainerRuntimeService

    func run(_ probe: Probe, container: Container, pod: Pod, instanceID: String, podIP: String?) -> ProbeOutcome {
        let timeout = TimeInterval(probe.timeoutSeconds ?? 1)
        return run(exec: probe.exec, httpGet: probe.httpGet, tcpSocket: probe.tcpSocket, container: container, pod: pod,
                   instanceID: instanceID, podIP: podIP, timeout: timeout)
    }

    func run(exec: ExecAction?, httpGet: HTTPGetAction?, tcpSocket: TCPSocketAction?, container: Container, pod: Pod,
             instanceID: String, podIP: String?, timeout: TimeInterval) -> ProbeOutcome {
        if let exec {
            let result = containers.exec(id: instanceID, command: exec.command ?? [], timeout: timeout)
            if result.timedOut { return .failure("command timed out after \(Int(timeout))s") }
            return result.exitCode == 0 ? .success
                : .failure("command \(exec.command ?? []) exited with \(result.exitCode): \(result.output)")
        }
        if let httpGet {
            guard let port = PodSpecPorts.resolve(httpGet.port, in: container) else {
                return .failure("port \(httpGet.port) not found in container \(container.name)")
            }
            guard let host = httpGet.host ?? podIP else { return .failure("pod has no IP") }
            let headers = (httpGet.httpHeaders ?? []).map { ($0.name, $0.value) }
            return NetworkProbe.http(host: host, port: port, path: httpGet.path ?? "/", headers: headers, timeout: timeout)
        }
        if let tcpSocket {
            guard let port = PodSpecPorts.resolve(tcpSocket.port, in: container) else {
                return .failure("port \(tcpSocket.port) not found in container \(container.name)")
            }
            guard let host = tcpSocket.host ?? podIP else { return .failure("pod has no IP") }
            return NetworkProbe.tcp(host: host, port: port, timeout: timeout)
        }
        return .failure("probe has no handler")
    }
}

/// Resolves a probe's port: a number, or the name of one of the container's ports.
enum PodSpecPorts {
    static func resolve(_ port: IntOrString, in container: Container) -> Int? {
        if let number = port.intValue { return number }
        guard let name = port.stringValue else { return nil }
        if let number = Int(name) { return number }
        return container.ports?.first { $0.name == name }?.containerPort
    }
}

/// The probe trackers of one container instance.
struct ContainerProbes {
    var liveness: ProbeTracker?
    var readiness: ProbeTracker?
    var startup: ProbeTracker?

    init(container: Container) {
        liveness = container.livenessProbe.map { ProbeTracker(schedule: Self.schedule($0), initiallyPassing: true) }
        readiness = container.readinessProbe.map { ProbeTracker(schedule: Self.schedule($0), initiallyPassing: false) }
        startup = container.startupProbe.map { ProbeTracker(schedule: Self.schedule($0), initiallyPassing: false) }
    }

    /// Upstream's defaults: period 10 s, timeout 1 s, success 1, failure 3.
    static func schedule(_ probe: Probe) -> ProbeSchedule {
        ProbeSchedule(
            initialDelay: TimeInterval(probe.initialDelaySeconds ?? 0), period: TimeInterval(probe.periodSeconds ?? 10),
            timeout: TimeInterval(probe.timeoutSeconds ?? 1), successThreshold: probe.successThreshold ?? 1,
            failureThreshold: probe.failureThreshold ?? 3)
    }

    var started: Bool { startup?.passing ?? true }
}
