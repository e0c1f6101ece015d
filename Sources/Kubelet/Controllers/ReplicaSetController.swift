import Foundation
import KubeAPI

/// The ReplicaSet controller: keeps `replicas` pods that are not terminal, replacing failed,
/// finished or deleted ones and removing extras in upstream's ranking.
extension ControllerPass {
    func syncReplicaSet(at index: Int) {
        var rs = state.replicaSets[index]
        guard let uid = rs.metadata.uid, let template = rs.spec.template else { return }
        let owned = state.pods(ownedBy: uid)
        // A pod whose containers cannot run any more is replaced, as upstream filters it out of
        // the active pods and the pod GC removes it.
        removePods(uids: Set(owned.filter { isTerminal($0) }.compactMap(\.metadata.uid)))
        let active = owned.filter { !isTerminal($0) }
        let want = max(rs.spec.replicas ?? 1, 0)
        let namespace = rs.metadata.namespace ?? ObjectMeta.defaultNamespace
        if active.count < want {
            let owner = OwnerReference(
                apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata.name ?? "", uid: uid,
                controller: true, blockOwnerDeletion: true)
            for _ in active.count..<want {
                let pod = makePod(
                    template: template, namePrefix: (rs.metadata.name ?? "") + "-", namespace: namespace, owner: owner)
                state.pods.append(pod)
                record("ReplicaSet", rs.metadata, "SuccessfulCreate", "Created pod: \(pod.metadata.name ?? "")")
            }
        } else if active.count > want {
            let victims = deletionOrder(active).prefix(active.count - want)
            removePods(uids: Set(victims.compactMap(\.metadata.uid)))
            for pod in victims {
                record("ReplicaSet", rs.metadata, "SuccessfulDelete", "Deleted pod: \(pod.metadata.name ?? "")")
            }
        }
        rs.status = replicaSetStatus(rs)
        state.replicaSets[index] = rs
    }

    /// Status from the pods the ReplicaSet has now: replicas, ready, available (minReadySeconds).
    func replicaSetStatus(_ rs: ReplicaSet) -> ReplicaSetStatus {
        let active = state.pods(ownedBy: rs.metadata.uid ?? "").filter { !isTerminal($0) }
        let templateLabels = rs.spec.template?.metadata?.labels ?? [:]
        let minReady = rs.spec.minReadySeconds ?? 0
        return ReplicaSetStatus(
            replicas: active.count,
            fullyLabeledReplicas: active.filter { ($0.metadata.labels ?? [:]).matches(selector: templateLabels) }.count,
            readyReplicas: active.filter { isReady($0) }.count,
            availableReplicas: active.filter { isAvailable($0, minReadySeconds: minReady) }.count,
            observedGeneration: rs.metadata.generation,
            conditions: rs.status?.conditions)
    }

    /// Refreshes the status of the ReplicaSet with this uid from its current pods.
    func refreshReplicaSetStatus(uid: String) {
        guard let index = state.replicaSets.firstIndex(where: { $0.metadata.uid == uid }) else { return }
        state.replicaSets[index].status = replicaSetStatus(state.replicaSets[index])
    }
}
