import ArgumentParser
import Foundation
import Kubelet

/// `swiftlet get pods|deployments|…|all [NAME] [-o wide|json|yaml] [-n NS | -A] [-w]`.
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "List objects, as kubectl get.")

    @Argument(help: "What to list: pods (po), deployments (deploy), replicasets (rs), daemonsets (ds), jobs, cronjobs (cj), configmaps (cm), secrets, namespaces (ns), services (svc), endpoints (ep), all.")
    var resource: String
    @Argument(help: "A name to show only that object.") var name: String?
    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var namespaces: NamespaceOptions
    @Option(name: .shortAndLong, help: "Output format: wide, json or yaml.") var output: String?
    @Flag(name: .shortAndLong, help: "Watch for changes.") var watch = false

    func validate() throws {
        guard ObjectQuery.isKnown(resource) else {
            throw ValidationError("the server doesn't have a resource type \"\(resource)\"")
        }
        if let output, !["wide", "json", "yaml"].contains(output) {
            throw ValidationError("unable to match a printer suitable for the output format \"\(output)\", allowed formats are: json,wide,yaml")
        }
        if name != nil && namespaces.allNamespaces {
            throw ValidationError("a resource cannot be retrieved by name across all namespaces")
        }
    }

    func run() throws {
        let query = ObjectQuery(root: rootOptions.root)
        var last = ""
        repeat {
            let result = try query.get(
                resource: resource, name: name, namespace: namespaces.namespace, allNamespaces: namespaces.allNamespaces,
                output: output)
            if let note = result.note, !watch {
                FileHandle.standardError.write(Data((note + "\n").utf8))
                return
            }
            let text = result.text
            if text != last {
                print(watch && !last.isEmpty ? text.split(separator: "\n").dropFirst().joined(separator: "\n") : text, terminator: watch && !last.isEmpty ? "\n" : "")
                last = text
            }
            if watch { Thread.sleep(forTimeInterval: 0.5) }
        } while watch
    }
}
