import ArgumentParser
import Foundation
import Kubelet

/// `swiftlet rollout status|history deployment/NAME` (also `deployment NAME`).
struct RolloutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout", abstract: "Follow (status) or list (history) a Deployment's rollouts.")

    @Argument(help: "status or history.") var action: String
    @Argument(help: "deployment/NAME") var target: [String]
    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var namespaces: NamespaceOptions
    @Flag(name: .shortAndLong, inversion: .prefixedNo, help: "status: watch until the rollout finishes.") var watch = true
    @Option(help: "status: give up after this many seconds (0: never).") var timeout: Double = 0
    @Option(help: "history: show one revision's pod template.") var revision: Int?

    var name: String {
        target.count == 2 ? target[1] : String(target.first?.split(separator: "/", maxSplits: 1).last ?? "")
    }

    func validate() throws {
        guard ["status", "history"].contains(action) else {
            throw ValidationError("unknown rollout command \"\(action)\": use status or history")
        }
        let kind = target.count == 2 ? target[0] : String(target.first?.split(separator: "/").first ?? "")
        guard (1...2).contains(target.count), ["deployment", "deployments", "deploy", "deployment.apps"].contains(kind),
            !name.isEmpty, target.count == 2 || target[0].contains("/")
        else {
            throw ValidationError("use deployment/NAME (only Deployments have rollouts here)")
        }
    }

    func run() throws {
        let query = ObjectQuery(root: rootOptions.root)
        if action == "history" {
            print(try query.rolloutHistory(deployment: name, namespace: namespaces.namespace, revision: revision), terminator: "")
            return
        }
        let deadline = timeout > 0 ? Date().addingTimeInterval(timeout) : Date.distantFuture
        var last = ""
        while true {
            let status = try query.rolloutStatus(deployment: name, namespace: namespaces.namespace)
            if status.isFailed {
                FileHandle.standardError.write(Data((status.text + "\n").utf8))
                throw ExitCode(1)
            }
            if status.text != last {
                print(status.text)
                fflush(stdout)
                last = status.text
            }
            if status.isDone || !watch { return }
            if Date() >= deadline {
                FileHandle.standardError.write(Data("error: timed out waiting for the condition\n".utf8))
                throw ExitCode(1)
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }
}
