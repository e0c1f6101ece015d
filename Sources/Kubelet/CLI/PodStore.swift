import Foundation
import KubeAPI

/// The pods the agent has written under `--root`, read by the CLI while the agent runs.
public struct PodStore: Sendable {
    public let layout: NodeLayout

    public init(root: String) {
        self.layout = NodeLayout.load(root: root)
    }

    /// Every pod, ordered by namespace and name; `namespace` nil for all namespaces.
    public func pods(namespace: String? = nil) -> [Pod] {
        let uids = (try? FileManager.default.contentsOfDirectory(atPath: layout.podsDir)) ?? []
        return uids.compactMap { JSONFile.read(Pod.self, from: layout.podFile(uid: $0)) }
            .filter { namespace == nil || $0.metadata.namespaceOrDefault == namespace }
            .sorted { ($0.metadata.namespace ?? "", $0.metadata.name ?? "") < ($1.metadata.namespace ?? "", $1.metadata.name ?? "") }
    }

    /// The pod called `name` in `namespace`; a static pod may also be named without its
    /// `-<node>` suffix. The newest wins when a replaced pod is still terminating.
    public func pod(named name: String, namespace: String) throws -> Pod {
        let candidates = pods(namespace: namespace)
        let nodeSuffixed = candidates.filter { pod in
            pod.spec.nodeName.map { "\(name)-\($0)" == pod.metadata.name } ?? false
        }
        let found = candidates.filter { $0.metadata.name == name } + nodeSuffixed
        guard let pod = found.max(by: { ($0.metadata.creationTimestamp?.date ?? .distantPast) < ($1.metadata.creationTimestamp?.date ?? .distantPast) }) else {
            throw KubeletError("pods \"\(name)\" not found in namespace \"\(namespace)\"")
        }
        return pod
    }

    public func events(of pod: Pod) -> [PodEvent] {
        JSONFile.read([PodEvent].self, from: layout.eventsFile(uid: pod.metadata.uid ?? "")) ?? []
    }

    /// The container to act on: the named one, or the pod's only (or first, as kubectl's
    /// default-container) container.
    public func container(of pod: Pod, named name: String?) throws -> Container {
        let all = pod.spec.containers + (pod.spec.initContainers ?? [])
        if let name {
            guard let container = all.first(where: { $0.name == name }) else {
                throw KubeletError("container \(name) is not valid for pod \(pod.metadata.name ?? "")")
            }
            return container
        }
        return pod.spec.containers[0]
    }

    /// The status of a container of the pod, init containers included.
    public func status(of container: String, in pod: Pod) -> ContainerStatus? {
        ((pod.status?.containerStatuses ?? []) + (pod.status?.initContainerStatuses ?? [])).first { $0.name == container }
    }

    /// The runtime id of the container's current instance.
    public func runningContainerID(_ container: String, in pod: Pod) throws -> String {
        guard let status = status(of: container, in: pod), status.state?.running != nil,
              let id = status.containerID?.replacingOccurrences(of: "swiftlet://", with: "") else {
            throw KubeletError("container \(container) in pod \(pod.metadata.name ?? "") is not running")
        }
        return id
    }

    /// The container's log file for its current run, or the one before with `previous`.
    public func logPath(_ container: String, in pod: Pod, previous: Bool) throws -> String {
        let restarts = status(of: container, in: pod)?.restartCount ?? 0
        if previous && restarts == 0 {
            throw KubeletError("previous terminated container \"\(container)\" in pod \"\(pod.metadata.name ?? "")\" not found")
        }
        return layout.containerLog(namespace: pod.metadata.namespaceOrDefault, pod: pod.metadata.name ?? "",
                                   uid: pod.metadata.uid ?? "", container: container, restartCount: previous ? restarts - 1 : restarts)
    }
}
