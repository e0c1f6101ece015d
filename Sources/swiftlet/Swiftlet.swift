import ArgumentParser

@main
struct Swiftlet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet",
        abstract: "A Kubernetes node in one binary: runs pods from manifests in a directory.",
        subcommands: [
            RunCommand.self, ResetCommand.self, GetCommand.self, DescribeCommand.self, LogsCommand.self,
            ExecCommand.self, RolloutCommand.self, ApplyCommand.self, DeleteCommand.self, ImagesCommand.self, ProxyCommand.self,
            MonitorCommand.self, KubeconfigCommand.self,
        ]
    )
}

/// `--root`, which every command takes to find the node's state.
struct RootOptions: ParsableArguments {
    @Option(help: "The node's state directory.") var root: String = "/var/lib/swiftlet"
}

/// `-n NS` / `-A`, as kubectl.
struct NamespaceOptions: ParsableArguments {
    @Option(name: [.customShort("n"), .long], help: "The namespace.") var namespace: String = "default"
    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "All namespaces.") var allNamespaces = false

    var selected: String? { allNamespaces ? nil : namespace }
}
