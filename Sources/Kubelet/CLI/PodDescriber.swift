import Foundation
import KubeAPI
import KubePrinting

/// `swiftlet describe pod` in kubectl's layout: identity, containers with state and last
/// state, conditions, volumes, QoS and events.
public enum PodDescriber {
    public static func describe(_ pod: Pod, events: [PodEvent], now: Date = Date()) -> String {
        var out: [String] = []
        func line(_ indent: Int, _ key: String, _ value: String) {
            out.append(String(repeating: "  ", count: indent) + (key + ":").padding(toLength: max(key.count + 2, 16 - indent * 2), withPad: " ", startingAt: 0) + value)
        }
        let status = pod.status ?? PodStatus()
        line(0, "Name", pod.metadata.name ?? "")
        line(0, "Namespace", pod.metadata.namespaceOrDefault)
        line(0, "Node", "\(pod.spec.nodeName ?? "<none>")/\(status.hostIP ?? "")")
        line(0, "Start Time", status.startTime.map { date($0.date) } ?? "<unset>")
        line(0, "Labels", map(pod.metadata.labels))
        line(0, "Annotations", map(pod.metadata.annotations))
        line(0, "Status", pod.metadata.deletionTimestamp != nil ? "Terminating" : status.phase?.rawValue ?? "Pending")
        line(0, "IP", status.podIP ?? "")
        if let inits = pod.spec.initContainers, !inits.isEmpty {
            out.append("Init Containers:")
            for container in inits { describe(container, status: status.initContainerStatuses?.first { $0.name == container.name }, into: &out) }
        }
        out.append("Containers:")
        for container in pod.spec.containers {
            describe(container, status: status.containerStatuses?.first { $0.name == container.name }, into: &out)
        }
        out.append("Conditions:")
        out.append("  Type                        Status")
        for condition in status.conditions ?? [] {
            out.append("  " + condition.type.padding(toLength: 28, withPad: " ", startingAt: 0) + condition.status.rawValue)
        }
        out.append("Volumes:" + ((pod.spec.volumes ?? []).isEmpty ? "  <none>" : ""))
        for volume in pod.spec.volumes ?? [] {
            out.append("  \(volume.name):")
            if let emptyDir = volume.emptyDir {
                line(2, "Type", "EmptyDir (a temporary directory that shares a pod's lifetime)")
                line(2, "Medium", emptyDir.medium?.rawValue ?? "")
                line(2, "SizeLimit", emptyDir.sizeLimit?.description ?? "<unset>")
            } else if let hostPath = volume.hostPath {
                line(2, "Type", "HostPath (bare host directory volume)")
                line(2, "Path", hostPath.path)
                line(2, "HostPathType", hostPath.type?.rawValue ?? "")
            } else if let configMap = volume.configMap {
                line(2, "Type", "ConfigMap (a volume populated by a ConfigMap)")
                line(2, "Name", configMap.name ?? "")
                line(2, "Optional", "\(configMap.optional ?? false)")
            } else if let secret = volume.secret {
                line(2, "Type", "Secret (a volume populated by a Secret)")
                line(2, "SecretName", secret.secretName ?? "")
                line(2, "Optional", "\(secret.optional ?? false)")
            }
        }
        line(0, "QoS Class", status.qosClass?.rawValue ?? "BestEffort")
        out.append(EventsTable.text(events, from: "kubelet", noneColumn: 29, now: now))
        return out.joined(separator: "\n") + "\n"
    }

    static func describe(_ container: Container, status: ContainerStatus?, into out: inout [String]) {
        func line(_ key: String, _ value: String, indent: Int = 2) {
            out.append(String(repeating: "  ", count: indent) + (key + ":").padding(toLength: max(key.count + 2, 18), withPad: " ", startingAt: 0) + value)
        }
        out.append("  \(container.name):")
        line("Container ID", status?.containerID ?? "")
        line("Image", container.image ?? "")
        line("Image ID", status?.imageID ?? "")
        let ports = (container.ports ?? []).map { "\($0.containerPort)/\($0.protocol?.rawValue ?? "TCP")" }
        line(ports.count > 1 ? "Ports" : "Port", ports.isEmpty ? "<none>" : ports.joined(separator: ", "))
        if let command = container.command {
            out.append("    Command:")
            for arg in command { out.append("      \(arg)") }
        }
        if let args = container.args {
            out.append("    Args:")
            for arg in args { out.append("      \(arg)") }
        }
        describeState("State", status?.state, into: &out)
        describeState("Last State", status?.lastState, into: &out)
        line("Ready", status?.ready == true ? "True" : "False")
        line("Restart Count", "\(status?.restartCount ?? 0)")
        if let limits = container.resources?.limits, !limits.isEmpty {
            out.append("    Limits:")
            for (key, value) in limits.sorted(by: { $0.key < $1.key }) { out.append("      \(key):  \(value)") }
        }
        if let requests = container.resources?.requests, !requests.isEmpty {
            out.append("    Requests:")
            for (key, value) in requests.sorted(by: { $0.key < $1.key }) { out.append("      \(key):  \(value)") }
        }
        for (name, probe) in [("Liveness", container.livenessProbe), ("Readiness", container.readinessProbe), ("Startup", container.startupProbe)] {
            if let probe { line(name, probeText(probe)) }
        }
        let env = container.env ?? []
        out.append("    Environment:" + (env.isEmpty ? "  <none>" : ""))
        for variable in env {
            let value = variable.value ?? variable.valueFrom.map(sourceText) ?? ""
            out.append("      \(variable.name):  \(value)")
        }
        let mounts = container.volumeMounts ?? []
        out.append("    Mounts:" + (mounts.isEmpty ? "  <none>" : ""))
        for mount in mounts {
            out.append("      \(mount.mountPath) from \(mount.name) (\(mount.readOnly == true ? "ro" : "rw")\(mount.subPath.map { ",path=\"\($0)\"" } ?? ""))")
        }
    }

    static func describeState(_ title: String, _ state: ContainerState?, into out: inout [String]) {
        func line(_ key: String, _ value: String, indent: Int) {
            out.append(String(repeating: "  ", count: indent) + (key + ":").padding(toLength: max(key.count + 2, 18 - (indent - 2) * 2), withPad: " ", startingAt: 0) + value)
        }
        if let running = state?.running {
            line(title, "Running", indent: 2)
            line("Started", running.startedAt.map { date($0.date) } ?? "", indent: 3)
        } else if let terminated = state?.terminated {
            line(title, "Terminated", indent: 2)
            line("Reason", terminated.reason ?? "", indent: 3)
            if let message = terminated.message { line("Message", message, indent: 3) }
            line("Exit Code", "\(terminated.exitCode)", indent: 3)
            if let signal = terminated.signal { line("Signal", "\(signal)", indent: 3) }
            line("Started", terminated.startedAt.map { date($0.date) } ?? "", indent: 3)
            line("Finished", terminated.finishedAt.map { date($0.date) } ?? "", indent: 3)
        } else if let waiting = state?.waiting {
            line(title, "Waiting", indent: 2)
            line("Reason", waiting.reason ?? "", indent: 3)
            if let message = waiting.message { line("Message", message, indent: 3) }
        } else {
            line(title, "<none>", indent: 2)
        }
    }

    static func probeText(_ probe: Probe) -> String {
        var action = "unknown"
        if let exec = probe.exec { action = "exec [\((exec.command ?? []).joined(separator: " "))]" }
        if let http = probe.httpGet { action = "http-get \(http.scheme?.rawValue.lowercased() ?? "http")://\(http.host ?? ""):\(http.port)\(http.path ?? "/")" }
        if let tcp = probe.tcpSocket { action = "tcp-socket \(tcp.host ?? ""):\(tcp.port)" }
        return "\(action) delay=\(probe.initialDelaySeconds ?? 0)s timeout=\(probe.timeoutSeconds ?? 1)s period=\(probe.periodSeconds ?? 10)s #success=\(probe.successThreshold ?? 1) #failure=\(probe.failureThreshold ?? 3)"
    }

    static func sourceText(_ source: EnvVarSource) -> String {
        if let field = source.fieldRef { return "(\(field.apiVersion ?? "v1"):\(field.fieldPath))" }
        if let resource = source.resourceFieldRef { return "\(resource.resource)" }
        if let ref = source.configMapKeyRef { return "<set to the key '\(ref.key)' of config map '\(ref.name ?? "")'>" }
        if let ref = source.secretKeyRef { return "<set to the key '\(ref.key)' in secret '\(ref.name ?? "")'>" }
        return ""
    }

    static func map(_ values: [String: String]?) -> String {
        guard let values, !values.isEmpty else { return "<none>" }
        return values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n                ")
    }

    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
