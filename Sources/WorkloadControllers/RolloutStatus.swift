import Foundation
import KubeAPI

/// What `kubectl rollout status deployment/NAME` reports for a Deployment's status, as
/// kubectl's `DeploymentStatusViewer`.
public struct RolloutStatus: Sendable, Equatable {
    /// The line kubectl prints (without the trailing newline).
    public var text: String
    /// The rollout finished: kubectl stops watching and exits 0.
    public var isDone: Bool
    /// The rollout exceeded its progress deadline: kubectl prints the error and exits 1.
    public var isFailed: Bool

    public init(text: String, isDone: Bool, isFailed: Bool) {
        self.text = text
        self.isDone = isDone
        self.isFailed = isFailed
    }

    /// The report for a Deployment as the controllers last left it.
    public static func of(deployment d: Deployment) -> RolloutStatus {
        let name = d.metadata.name ?? ""
        let status = d.status ?? DeploymentStatus()
        guard (d.metadata.generation ?? 0) <= (status.observedGeneration ?? 0) else {
            return RolloutStatus(text: "Waiting for deployment spec update to be observed...", isDone: false, isFailed: false)
        }
        if status.conditions?.first(where: { $0.type == "Progressing" })?.reason == "ProgressDeadlineExceeded" {
            return RolloutStatus(
                text: "error: deployment \"\(name)\" exceeded its progress deadline", isDone: false, isFailed: true)
        }
        let replicas = d.spec.desiredReplicas
        let updated = status.updatedReplicas ?? 0
        let total = status.replicas ?? 0
        let available = status.availableReplicas ?? 0
        let text: String
        if updated < replicas {
            text = "Waiting for deployment \"\(name)\" rollout to finish: \(updated) out of \(replicas) new replicas have been updated..."
        } else if total > updated {
            text = "Waiting for deployment \"\(name)\" rollout to finish: \(total - updated) old replicas are pending termination..."
        } else if available < updated {
            text = "Waiting for deployment \"\(name)\" rollout to finish: \(available) of \(updated) updated replicas are available..."
        } else {
            return RolloutStatus(text: "deployment \"\(name)\" successfully rolled out", isDone: true, isFailed: false)
        }
        return RolloutStatus(text: text, isDone: false, isFailed: false)
    }

    /// Just the line kubectl prints.
    public static func text(deployment: Deployment) -> String { of(deployment: deployment).text }
}
