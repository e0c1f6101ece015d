import ArgumentParser

@main
struct RuntimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet-runtime",
        abstract: "A runc-compatible OCI container runtime."
    )
}
