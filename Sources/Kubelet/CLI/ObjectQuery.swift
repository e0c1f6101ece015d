import Foundation
import KubeAPI
import KubePrinting
import WorkloadControllers

/// What `swiftlet get` and `swiftlet describe` print, from the pods the workers wrote and the
/// objects the agent published under `--root`.
public struct ObjectQuery: Sendable {
    public let pods: PodStore
    public let objects: ObjectStore

    public init(root: String) {
        self.pods = PodStore(root: root)
        self.objects = ObjectStore(root: root)
    }

    /// What `get` printed: the table or document, and a note for stderr.
    public struct Output: Sendable, Equatable {
        public var text: String
        public var note: String?
    }

    /// The names `get` accepts (`pods`, `deploy`, `all`…).
    public static func isKnown(_ resource: String) -> Bool {
        ["pods", "pod", "po", "all"].contains(resource) || ObjectPrinter.resourceNames[resource] != nil
    }

    /// `get RESOURCE [NAME] [-n NS | -A] [-o wide|json|yaml]`.
    public func get(resource: String, name: String?, namespace: String, allNamespaces: Bool, output: String?, now: Date = Date()) throws -> Output {
        let selected = allNamespaces ? nil : namespace
        let wide = output == "wide"
        if resource == "all" {
            var sections: [String] = []
            var everything: [KubeObject] = []
            let podList = pods.pods(namespace: selected)
            if !podList.isEmpty {
                sections.append(PodPrinter.table(podList, wide: wide, withNamespace: allNamespaces, namePrefix: "pod/", now: now))
                everything += podList.map(KubeObject.pod)
            }
            for kind in ["Service", "DaemonSet", "Deployment", "ReplicaSet", "Job", "CronJob"] {
                let list = objects.list(kind: kind, namespace: selected)
                guard !list.isEmpty else { continue }
                sections.append(ObjectPrinter.table(kind: kind, list, wide: wide, withNamespace: allNamespaces, qualifyNames: true, now: now))
                everything += list
            }
            switch output {
            case "json": return Output(text: try ObjectOutput.json(everything))
            case "yaml": return Output(text: try ObjectOutput.yaml(everything))
            default:
                if sections.isEmpty { return Output(text: "", note: noResources(allNamespaces, namespace)) }
                return Output(text: sections.joined(separator: "\n"))
            }
        }
        if ["pods", "pod", "po"].contains(resource) {
            var list = pods.pods(namespace: selected)
            if let name { list = [try pods.pod(named: name, namespace: namespace)] }
            switch output {
            case "json": return Output(text: name != nil ? try KubeEncoder.prettyJSON(list[0]) : try ObjectOutput.json(list) + "\n")
            case "yaml": return Output(text: name != nil ? try KubeEncoder.yaml(list[0]) : try ObjectOutput.yaml(list))
            default:
                if list.isEmpty { return Output(text: "", note: noResources(allNamespaces, namespace)) }
                return Output(text: PodPrinter.table(list, wide: wide, withNamespace: allNamespaces, now: now))
            }
        }
        guard let kind = ObjectPrinter.resourceNames[resource] else {
            throw KubeletError("error: the server doesn't have a resource type \"\(resource)\"")
        }
        var list = objects.list(kind: kind, namespace: kind == "Namespace" ? nil : selected)
        if let name {
            list = list.filter { $0.name == name }
            if list.isEmpty {
                throw KubeletError("Error from server (NotFound): \(ObjectStore.plural(kind)) \"\(name)\" not found")
            }
        }
        switch output {
        case "json": return Output(text: name != nil ? try KubeEncoder.prettyJSON(list[0]) : try ObjectOutput.json(list) + "\n")
        case "yaml": return Output(text: name != nil ? try KubeEncoder.yaml(list[0]) : try ObjectOutput.yaml(list))
        default:
            if list.isEmpty {
                return Output(text: "", note: kind == "Namespace" ? "No resources found" : noResources(allNamespaces, namespace))
            }
            return Output(text: ObjectPrinter.table(kind: kind, list, wide: wide, withNamespace: allNamespaces, now: now))
        }
    }

    private func noResources(_ all: Bool, _ namespace: String) -> String {
        all ? "No resources found" : "No resources found in \(namespace) namespace."
    }

    /// `describe RESOURCE NAME`.
    public func describe(resource: String, name: String, namespace: String, now: Date = Date()) throws -> String {
        if ["pods", "pod", "po"].contains(resource) {
            let pod = try pods.pod(named: name, namespace: namespace)
            return PodDescriber.describe(pod, events: pods.events(of: pod), now: now)
        }
        guard let kind = ObjectPrinter.resourceNames[resource] else {
            throw KubeletError("error: the server doesn't have a resource type \"\(resource)\"")
        }
        let scope = kind == "Namespace" ? nil : namespace
        guard let object = objects.list(kind: kind, namespace: scope).first(where: { $0.name == name }) else {
            throw KubeletError("Error from server (NotFound): \(ObjectStore.plural(kind)) \"\(name)\" not found")
        }
        let events = objects.events(kind: kind, namespace: scope, name: name)
        let owned = pods.pods(namespace: namespace)
        return ObjectDescriber.describe(object, events: events, replicaSets: objects.list(kind: "ReplicaSet", namespace: namespace), pods: owned, now: now)
    }

    /// `rollout status deployment/NAME`: the report, and whether the rollout is done / failed.
    public func rolloutStatus(deployment name: String, namespace: String) throws -> RolloutStatus {
        RolloutStatus.of(deployment: try deployment(name, namespace: namespace))
    }

    /// `rollout history deployment/NAME [--revision N]`.
    public func rolloutHistory(deployment name: String, namespace: String, revision: Int?) throws -> String {
        let found = try deployment(name, namespace: namespace)
        let replicaSets = objects.list(kind: "ReplicaSet", namespace: namespace).compactMap { object -> ReplicaSet? in
            if case .replicaSet(let rs) = object { return rs }
            return nil
        }
        guard let text = RolloutHistory.text(deployment: found, replicaSets: replicaSets, revision: revision) else {
            throw KubeletError("error: unable to find the specified revision")
        }
        return text
    }

    private func deployment(_ name: String, namespace: String) throws -> Deployment {
        guard case .deployment(let d) = objects.get(kind: "Deployment", namespace: namespace, name: name) else {
            throw KubeletError("Error from server (NotFound): deployments.apps \"\(name)\" not found")
        }
        return d
    }
}
