import ArgumentParser
import Foundation
import Kubelet

/// `swiftlet rollout status|history deployment/NAME`.
struct RolloutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout", abstract: "Follow or list a Deployment's rollouts.",
        subcommands: [RolloutStatusCommand.self, RolloutHistoryCommand.self])
}

/// `deployment/NAME`, `deployments/NAME`, `deploy/NAME` or `deployment NAME`.
struct DeploymentTarget: ParsableArguments {
    @Argument(help: "deployment/NAME") var target: [String]

    var name: String {
        target.count == 2 ? target[1] : String(target[0].split(separator: "/", maxSplits: 1).last ?? "")
    }

    func validate() throws {
        let kind = target.count == 2 ? target[0] : String(target.first?.split(separator: "/").first ?? "")
        guard (1...2).contains(target.count), ["deployment", "deployments", "deploy", "deployment.apps"].contains(kind),
            !name.isEmpty, target.count == 2 || target[0].contains("/")
        else {
            throw ValidationError("use deployment/NAME (only Deployments have rollouts here)")
        }
    }
}

struct RolloutStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Watch a Deployment's rollout until it finishes.")

    @OptionGroup var deployment: DeploymentTarget
    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var namespaces: NamespaceOptions
    @Flag(name: .shortAndLong, inversion: .prefixedNo, help: "Watch until the rollout finishes.") var watch = true
    @Option(help: "Give up after this many seconds (0: never).") var timeout: Double = 0

    func run() throws {
        let query = ObjectQuery(root: rootOptions.root)
        let deadline = timeout > 0 ? Date().addingTimeInterval(timeout) : Date.distantFuture
        var last = ""
        while true {
            let status = try query.rolloutStatus(deployment: deployment.name, namespace: namespaces.namespace)
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

struct RolloutHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List a Deployment's revisions.")

    @OptionGroup var deployment: DeploymentTarget
    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var namespaces: NamespaceOptions
    @Option(help: "Show one revision's pod template.") var revision: Int?

    func run() throws {
        print(try ObjectQuery(root: rootOptions.root).rolloutHistory(
            deployment: deployment.name, namespace: namespaces.namespace, revision: revision), terminator: "")
    }
}
