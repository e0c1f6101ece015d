import Foundation
import KubeAPI
import Kubelet

/// What the workload tests (issue #6) observe of a node: the pods its controllers made, and
/// the objects it published.
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
