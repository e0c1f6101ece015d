import Foundation
import KubeAPI

/// What `kubectl rollout history deployment/NAME [--revision=N]` prints, from the
/// Deployment's ReplicaSets (their revision and change-cause annotations).
public enum RolloutHistory {
    /// The revision table, or one revision's pod template; nil when `revision` does not exist.
    public static func text(deployment: Deployment, replicaSets: [ReplicaSet], revision: Int? = nil) -> String? {
        let owned = replicaSets.filter { rs in
            rs.metadata.ownerReferences?.contains { $0.uid == deployment.metadata.uid && $0.controller == true } ?? false
        }
        var byRevision: [Int: ReplicaSet] = [:]
        for rs in owned {
            guard let value = Int(rs.metadata.annotations?[DeploymentAnnotation.revision] ?? "") else { continue }
            byRevision[value] = rs
        }
        let name = "deployment.apps/\(deployment.metadata.name ?? "")"
        if let revision {
            guard let rs = byRevision[revision], let template = rs.spec.template else { return nil }
            return "\(name) with revision #\(revision)\n" + describe(template, changeCause: rs.metadata.annotations?[DeploymentAnnotation.changeCause])
        }
        var rows = [["REVISION", "CHANGE-CAUSE"]]
        for value in byRevision.keys.sorted() {
            let cause = byRevision[value]?.metadata.annotations?[DeploymentAnnotation.changeCause] ?? ""
            rows.append([String(value), cause.isEmpty ? "<none>" : cause])
        }
        return "\(name) \n" + table(rows) + "\n"
    }

    /// Columns padded as kubectl's tabwriter (padding 2).
    static func table(_ rows: [[String]]) -> String {
        let width = rows.map { $0[0].count }.max() ?? 0
        return rows.map { $0[0].padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0[1] + "\n" }.joined()
    }

    /// A pod template in kubectl's describe layout (labels, annotations, containers).
    public static func describe(_ template: PodTemplateSpec, changeCause: String?) -> String {
        var out = "Pod Template:\n"
        func map(_ title: String, _ values: [String: String]?) {
            let pairs = (values ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            out += "  \(title):\t" + (pairs.isEmpty ? "<none>" : pairs.joined(separator: "\n\t")) + "\n"
        }
        map("Labels", template.metadata?.labels)
        var annotations = template.metadata?.annotations ?? [:]
        if let changeCause { annotations[DeploymentAnnotation.changeCause] = changeCause }
        map("Annotations", annotations)
        out += "  Containers:\n"
        for container in template.spec.containers {
            out += "   \(container.name):\n"
            out += "    Image:\t\(container.image ?? "")\n"
            let ports = (container.ports ?? []).map { "\($0.containerPort)/\($0.protocol?.rawValue ?? "TCP")" }
            out += "    Port:\t" + (ports.isEmpty ? "<none>" : ports.joined(separator: ", ")) + "\n"
            if let command = container.command { out += "    Command:\n" + command.map { "      \($0)\n" }.joined() }
            if let args = container.args { out += "    Args:\n" + args.map { "      \($0)\n" }.joined() }
            let env = container.env ?? []
            out += "    Environment:" + (env.isEmpty ? "\t<none>\n" : "\n" + env.map { "      \($0.name):\t\($0.value ?? "")\n" }.joined())
            out += "    Mounts:\t" + ((container.volumeMounts ?? []).isEmpty ? "<none>\n" : "\n"
                + (container.volumeMounts ?? []).map { "      \($0.mountPath) from \($0.name)\n" }.joined())
        }
        let volumes = template.spec.volumes ?? []
        out += "  Volumes:\t" + (volumes.isEmpty ? "<none>\n" : "\n" + volumes.map { "   \($0.name)\n" }.joined())
        return out + "\n"
    }
}
