import Foundation
import KubeAPI
import Kubelet

/// Manifests and observations shared by the workload tests (issue #6).
enum Workloads {
    /// A Deployment of busybox pods running `command`, with `env`; `extra` is YAML appended
    /// to the container (8-space indent), `readiness` likewise, `strategy` to the spec (2).
    static func deployment(
        _ name: String, replicas: Int, namespace: String = "default", env: [String: String] = [:],
        command: String = "sleep 1000000", strategy: String = "", readiness: String = "", extra: String = ""
    ) -> String {
        let envLines = env.sorted { $0.key < $1.key }.map { "            - {name: \($0.key), value: \"\($0.value)\"}" }
        return """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: \(name)
              namespace: \(namespace)
            spec:
              replicas: \(replicas)
              selector:
                matchLabels: {app: \(name)}
            \(strategy)
              template:
                metadata:
                  labels: {app: \(name)}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: main
                    image: busybox
                    imagePullPolicy: Never
                    command: ["sh", "-c", "\(command)"]
            \(readiness)
                    env:
            \(envLines.isEmpty ? "            - {name: UNUSED, value: \"0\"}" : envLines.joined(separator: "\n"))
            \(extra)
            """
    }
}

extension AgentHarness {
    /// The pods a controller created whose names start with `prefix-`, in `namespace`.
    func ownedPods(_ prefix: String, namespace: String = "default") -> [Pod] {
        PodStore(root: root).pods(namespace: namespace).filter {
            ($0.metadata.name ?? "").hasPrefix(prefix + "-") && $0.metadata.ownerReferences?.isEmpty == false
        }
    }

    /// Pods of `prefix` running with every container running.
    func runningPods(_ prefix: String, namespace: String = "default") -> [Pod] {
        ownedPods(prefix, namespace: namespace).filter { pod in
            pod.status?.phase == .running && (pod.status?.containerStatuses ?? []).allSatisfy { $0.state?.running != nil }
        }
    }

    /// Pods of `prefix` whose Ready condition is True.
    func readyPods(_ prefix: String, namespace: String = "default") -> [Pod] {
        ownedPods(prefix, namespace: namespace).filter { pod in
            pod.status?.conditions?.contains { $0.type == "Ready" && $0.status == .true } ?? false
        }
    }

    /// A published object (Deployment, Job…) as the CLI reads it.
    func object(_ kind: String, _ name: String, namespace: String = "default") -> KubeObject? {
        ObjectStore(root: root).get(kind: kind, namespace: namespace, name: name)
    }

    /// The host pid of a pod's running container.
    func containerPID(_ pod: Pod, container: String = "main") -> Int32? {
        guard let id = pod.status?.containerStatuses?.first(where: { $0.name == container })?.containerID?
            .replacingOccurrences(of: "swiftlet://", with: "")
        else { return nil }
        return ContainerFiles(root: root, id: id).monitor()?.pid
    }
}
