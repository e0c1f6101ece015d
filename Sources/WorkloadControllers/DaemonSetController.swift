import Foundation
import KubeAPI

/// The DaemonSet controller on one node: exactly one pod, replaced when it is gone, has
/// finished, or its template changed (after the old pod has stopped, as maxSurge 0 does).
struct DaemonSetController {
    static let revisionHashLabel = "controller-revision-hash"

    func sync<Random>(at index: Int, _ pass: inout WorkloadPass<Random>) {
        var ds = pass.state.daemonSets[index]
        guard let uid = ds.metadata.uid else { return }
        let hash = PodTemplateHash.of(ds.spec.template)
        let owned = pass.state.pods(ownedBy: uid)
        pass.removePods(uids: Set(owned.filter { pass.isTerminal($0) }.compactMap(\.metadata.uid)))
        var active = owned.filter { !pass.isTerminal($0) }
        let onDelete = ds.spec.updateStrategy?.type == "OnDelete"
        let outdated = active.filter { $0.metadata.labels?[Self.revisionHashLabel] != hash }
        if !onDelete {
            for pod in outdated {
                pass.record("DaemonSet", ds.metadata, "SuccessfulDelete", "Deleted pod: \(pod.metadata.name ?? "")")
            }
            pass.removePods(uids: Set(outdated.compactMap(\.metadata.uid)))
            active.removeAll { pod in outdated.contains { $0.metadata.uid == pod.metadata.uid } }
        }
        if active.count > 1 {
            let extra = pass.deletionOrder(active).prefix(active.count - 1)
            for pod in extra { pass.record("DaemonSet", ds.metadata, "SuccessfulDelete", "Deleted pod: \(pod.metadata.name ?? "")") }
            pass.removePods(uids: Set(extra.compactMap(\.metadata.uid)))
        } else if active.isEmpty {
            let stopping = pass.observed.values.contains { pod in
                pod.controllerUID == uid && pod.status?.phase != .succeeded && pod.status?.phase != .failed
                    && !pass.state.pods.contains { $0.metadata.uid == pod.metadata.uid }
            }
            if !stopping {
                let owner = OwnerReference(
                    apiVersion: "apps/v1", kind: "DaemonSet", name: ds.metadata.name ?? "", uid: uid,
                    controller: true, blockOwnerDeletion: true)
                let pod = pass.makePod(
                    template: ds.spec.template, namePrefix: (ds.metadata.name ?? "") + "-",
                    namespace: ds.metadata.namespaceOrDefault, owner: owner,
                    extraLabels: [
                        Self.revisionHashLabel: hash, "pod-template-generation": String(ds.metadata.generation ?? 1),
                    ])
                pass.state.pods.append(pod)
                pass.record("DaemonSet", ds.metadata, "SuccessfulCreate", "Created pod: \(pod.metadata.name ?? "")")
            }
        }
        let pods = pass.state.pods(ownedBy: uid).filter { !pass.isTerminal($0) }
        let available = pods.filter { pass.isAvailable($0, minReadySeconds: ds.spec.minReadySeconds ?? 0) }.count
        ds.status = DaemonSetStatus(
            currentNumberScheduled: min(pods.count, 1), numberMisscheduled: 0, desiredNumberScheduled: 1,
            numberReady: pods.filter { pass.isReady($0) }.count, observedGeneration: ds.metadata.generation,
            updatedNumberScheduled: pods.filter { $0.metadata.labels?[Self.revisionHashLabel] == hash }.count,
            numberAvailable: available, numberUnavailable: max(1 - available, 0))
        pass.state.daemonSets[index] = ds
    }
}
