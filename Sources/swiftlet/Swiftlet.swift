import ArgumentParser

@main
struct Swiftlet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet",
        abstract: "A Kubernetes node in one binary: runs pods from manifests in a directory.",
        subcommands: [ImagesCommand.self]
    )
}
