import ArgumentParser
import Foundation
import Kubelet
import KubeAPI

/// `swiftlet logs POD [-c C] [-f] [--previous] [--tail N]`.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a container's logs.")

    @OptionGroup var target: ContainerTarget
    @Flag(name: .shortAndLong, help: "Follow the log.") var follow = false
    @Flag(name: .shortAndLong, help: "The previous instance's log.") var previous = false
    @Option(help: "Only the last N lines.") var tail: Int = -1

    func run() throws {
        let (store, found, container) = try target.resolve()
        let path = try store.logPath(container.name, in: found, previous: previous)
        print(try LogReader.read(path: path, tail: tail >= 0 ? tail : nil), terminator: "")
        guard follow && !previous else { return }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let uid = found.metadata.uid
        LogReader.follow(path: path, from: size, output: { print($0, terminator: ""); fflush(stdout) }) {
            // Follow while this instance runs.
            guard let now = try? store.pod(named: target.pod, namespace: target.namespaces.namespace), now.metadata.uid == uid else { return false }
            return store.status(of: container.name, in: now)?.state?.running != nil
        }
    }
}

/// `swiftlet exec POD [-c C] [-i] [-t] -- CMD...`.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Run a command in a container; its exit code is this command's.")

    @OptionGroup var target: ContainerTarget
    @Flag(name: .shortAndLong, help: "Pass stdin to the command.") var stdin = false
    @Flag(name: .shortAndLong, help: "Allocate a terminal.") var tty = false
    @Argument(parsing: .postTerminator, help: "The command.") var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("you must specify at least one command for the container") }
    }

    func run() throws {
        let (store, found, container) = try target.resolve()
        let id = try store.runningContainerID(container.name, in: found)
        let code = try ContainerExecCLI.run(layout: store.layout, id: id, command: command, stdin: stdin, tty: tty)
        throw ExitCode(code)
    }
}

/// `POD [-c C]` with `--root` and `-n NS`: the container that `logs` and `exec` act on.
struct ContainerTarget: ParsableArguments {
    @Argument(help: "The pod.") var pod: String
    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var namespaces: NamespaceOptions
    @Option(name: .shortAndLong, help: "The container.") var container: String?

    /// The node's pod store, the pod named in the namespace, and the container named in it
    /// (without -c, its first app container).
    func resolve() throws -> (store: PodStore, pod: Pod, container: Container) {
        let store = PodStore(root: rootOptions.root)
        let found = try store.pod(named: pod, namespace: namespaces.namespace)
        return (store, found, try store.container(of: found, named: container))
    }
}

/// `swiftlet apply -f FILE`: puts the file into the manifest directory.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Put a manifest into the watched directory.")

    @Option(name: .customShort("f"), help: "The manifest file.") var file: String
    @Option(help: "The manifest directory.") var manifests: String = "/etc/swiftlet/manifests"

    func run() throws {
        print(try ManifestFiles.apply(file: file, directory: manifests))
    }
}

/// `swiftlet delete -f FILE` or `swiftlet delete pod NAME`.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Remove a manifest, or a pod.")

    @Argument(help: "pod NAME") var target: [String] = []
    @Option(name: .customShort("f"), help: "The manifest file to remove.") var file: String?
    @Option(help: "The manifest directory.") var manifests: String = "/etc/swiftlet/manifests"
    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var namespaces: NamespaceOptions
    @Option(help: "Wait for a controller-owned pod to be gone.") var wait: Bool = true

    func validate() throws {
        if file == nil && (target.count != 2 || !["pod", "pods", "po"].contains(target[0])) {
            throw ValidationError("use -f FILE, or pod NAME")
        }
    }

    func run() throws {
        if let file {
            print(try ManifestFiles.delete(file: file, directory: manifests))
            return
        }
        let store = PodStore(root: rootOptions.root)
        let pod = try store.pod(named: target[1], namespace: namespaces.namespace)
        if PodDeletion.isControllerOwned(pod) {
            print(try PodDeletion.delete(pod, root: rootOptions.root, wait: wait))
        } else {
            print(try ManifestFiles.deletePod(pod, directory: manifests))
        }
    }
}
