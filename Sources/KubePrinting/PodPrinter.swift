import Foundation
import KubeAPI

/// `swiftlet get pods` as kubectl prints it: NAME READY STATUS RESTARTS AGE, and with
/// `-o wide` IP and NODE.
public enum PodPrinter {
    /// `namePrefix` is `pod/` for `get all`.
    public static func table(_ pods: [Pod], wide: Bool, withNamespace: Bool, namePrefix: String = "", now: Date = Date()) -> String {
        var header = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        if withNamespace { header.insert("NAMESPACE", at: 0) }
        if wide { header += ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"] }
        var rows = [header]
        for pod in pods {
            let row = self.row(pod, now: now)
            var cells = [namePrefix + (pod.metadata.name ?? ""), row.ready, row.status, row.restarts, row.age]
            if withNamespace { cells.insert(pod.metadata.namespaceOrDefault, at: 0) }
            if wide { cells += [pod.status?.podIP ?? "<none>", pod.spec.nodeName ?? "<none>", "<none>", "<none>"] }
            rows.append(cells)
        }
        return TablePrinter.render(rows)
    }

    public struct Row: Equatable {
        public var ready: String
        public var status: String
        public var restarts: String
        public var age: String
    }

    /// kubectl's `printPod`.
    public static func row(_ pod: Pod, now: Date = Date()) -> Row {
        let status = pod.status ?? PodStatus()
        var reason = status.reason ?? status.phase?.rawValue ?? "Pending"
        var restarts = 0
        var lastRestart: Date?
        var readyContainers = 0
        let initStatuses = status.initContainerStatuses ?? []
        var initializing = false
        func noteRestart(_ container: ContainerStatus) {
            restarts += container.restartCount
            if let finished = container.lastState?.terminated?.finishedAt?.date, lastRestart.map({ finished > $0 }) ?? true {
                lastRestart = finished
            }
        }
        for (index, container) in initStatuses.enumerated() {
            noteRestart(container)
            if let terminated = container.state?.terminated, terminated.exitCode == 0 { continue }
            if let terminated = container.state?.terminated {
                if let why = terminated.reason, !why.isEmpty {
                    reason = "Init:" + why
                } else if let signal = terminated.signal, signal != 0 {
                    reason = "Init:Signal:\(signal)"
                } else {
                    reason = "Init:ExitCode:\(terminated.exitCode)"
                }
            } else if let why = container.state?.waiting?.reason, !why.isEmpty, why != "PodInitializing" {
                reason = "Init:" + why
            } else {
                reason = "Init:\(index)/\(pod.spec.initContainers?.count ?? initStatuses.count)"
            }
            initializing = true
            break
        }
        if !initializing {
            restarts = 0
            lastRestart = nil
            var hasRunning = false
            for container in (status.containerStatuses ?? []).reversed() {
                noteRestart(container)
                if let why = container.state?.waiting?.reason, !why.isEmpty {
                    reason = why
                } else if let terminated = container.state?.terminated {
                    if let why = terminated.reason, !why.isEmpty {
                        reason = why
                    } else if let signal = terminated.signal, signal != 0 {
                        reason = "Signal:\(signal)"
                    } else {
                        reason = "ExitCode:\(terminated.exitCode)"
                    }
                } else if container.ready && container.state?.running != nil {
                    hasRunning = true
                    readyContainers += 1
                }
            }
            if reason == "Completed" && hasRunning {
                let ready = status.conditions?.contains { $0.type == "Ready" && $0.status == .true } ?? false
                reason = ready ? "Running" : "NotReady"
            }
        }
        if pod.metadata.deletionTimestamp != nil { reason = "Terminating" }
        var restartText = "\(restarts)"
        if restarts > 0, let lastRestart {
            restartText += " (\(HumanDuration.format(now.timeIntervalSince(lastRestart))) ago)"
        }
        let age = pod.metadata.creationTimestamp.map { HumanDuration.format(now.timeIntervalSince($0.date)) } ?? "<unknown>"
        return Row(ready: "\(readyContainers)/\(pod.spec.containers.count)", status: reason, restarts: restartText, age: age)
    }
}
