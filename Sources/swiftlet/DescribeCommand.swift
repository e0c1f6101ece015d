import ArgumentParser
import Foundation
import Kubelet

/// `swiftlet describe KIND NAME` (or `KIND/NAME`).
struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "describe", abstract: "Show an object in detail, with its events.")

    @Argument(help: "The kind (pod, deployment, replicaset, daemonset, job, cronjob, configmap, secret, namespace, service, endpoints), or KIND/NAME.")
    var resource: String
    @Argument(help: "The name.") var name: String?
    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var namespaces: NamespaceOptions

    var target: (kind: String, name: String) {
        if name == nil, let slash = resource.firstIndex(of: "/") {
            return (String(resource[..<slash]).lowercased(), String(resource[resource.index(after: slash)...]))
        }
        return (resource.lowercased(), name ?? "")
    }

    func validate() throws {
        guard ObjectQuery.isKnown(target.kind), target.kind != "all" else {
            throw ValidationError("the server doesn't have a resource type \"\(target.kind)\"")
        }
        if target.name.isEmpty { throw ValidationError("you must specify the name of the \(target.kind) to describe") }
    }

    func run() throws {
        let text = try ObjectQuery(root: rootOptions.root).describe(resource: target.kind, name: target.name, namespace: namespaces.namespace)
        print(text, terminator: "")
    }
}
