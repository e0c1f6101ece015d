import Foundation
import KubeAPI

/// The ReplicaSet controller: keeps `replicas` pods that are not terminal, replacing failed,
/// finished or deleted ones and removing extras in upstream's ranking.
struct ReplicaSetController {
    func sync<Random>(at index: Int, _ pass: inout WorkloadPass<Random>) {
        var rs = pass.state.replicaSets[index]
        guard let uid = rs.metadata.uid, let template = rs.spec.template else { return }
        let owned = pass.state.pods(ownedBy: uid)
        // A pod whose containers cannot run any more is replaced, as upstream filters it out of
        // the active pods and the pod GC removes it.
        pass.removePods(uids: Set(owned.filter { pass.isTerminal($0) }.compactMap(\.metadata.uid)))
        let active = owned.filter { !pass.isTerminal($0) }
        let want = max(rs.spec.desiredReplicas, 0)
        let namespace = rs.metadata.namespaceOrDefault
        if active.count < want {
            let owner = OwnerReference(
                apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata.name ?? "", uid: uid,
                controller: true, blockOwnerDeletion: true)
            for _ in active.count..<want {
                let pod = pass.makePod(
                    template: template, namePrefix: (rs.metadata.name ?? "") + "-", namespace: namespace, owner: owner)
                pass.state.pods.append(pod)
                pass.record("ReplicaSet", rs.metadata, "SuccessfulCreate", "Created pod: \(pod.metadata.name ?? "")")
            }
        } else if active.count > want {
            let victims = pass.deletionOrder(active).prefix(active.count - want)
            pass.removePods(uids: Set(victims.compactMap(\.metadata.uid)))
            for pod in victims {
                pass.record("ReplicaSet", rs.metadata, "SuccessfulDelete", "Deleted pod: \(pod.metadata.name ?? "")")
            }
        }
        rs.status = status(of: rs, pass)
        pass.state.replicaSets[index] = rs
    }

    /// Status from the pods the ReplicaSet has now: replicas, ready, available (minReadySeconds).
    func status<Random>(of rs: ReplicaSet, _ pass: WorkloadPass<Random>) -> ReplicaSetStatus {
        let active = pass.state.pods(ownedBy: rs.metadata.uid ?? "").filter { !pass.isTerminal($0) }
        let templateLabels = rs.spec.template?.metadata?.labels ?? [:]
        let minReady = rs.spec.minReadySeconds ?? 0
        return ReplicaSetStatus(
            replicas: active.count,
            fullyLabeledReplicas: active.filter { ($0.metadata.labels ?? [:]).matches(selector: templateLabels) }.count,
            readyReplicas: active.filter { pass.isReady($0) }.count,
            availableReplicas: active.filter { pass.isAvailable($0, minReadySeconds: minReady) }.count,
            observedGeneration: rs.metadata.generation,
            conditions: rs.status?.conditions)
    }

    /// Refreshes the status of the ReplicaSets a Deployment (by uid) owns from their current pods.
    func refreshStatus<Random>(ownedBy deploymentUID: String, _ pass: inout WorkloadPass<Random>) {
        for index in pass.state.replicaSets.indices where pass.state.replicaSets[index].metadata.controllerUID == deploymentUID {
            pass.state.replicaSets[index].status = status(of: pass.state.replicaSets[index], pass)
        }
    }
}
