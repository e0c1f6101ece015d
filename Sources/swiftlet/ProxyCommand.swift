import ArgumentParser
import Foundation
import Kubelet
import Logging

/// `swiftlet proxy --cleanup`: remove every iptables rule and chain and the nftables table
/// Swiftlet's proxy made (in either proxy mode).
struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "proxy", abstract: "Manage the node's Service rules.")

    @Flag(help: "Remove every rule and chain the proxy made, then exit.") var cleanup = false
    @OptionGroup var rootOptions: RootOptions

    func validate() throws {
        if !cleanup { throw ValidationError("the proxy runs inside `swiftlet run`; use --cleanup to remove its rules") }
    }

    func run() throws {
        do {
            try ServiceController.cleanup(logger: Logger(label: "swiftlet"))
        } catch {
            FileHandle.standardError.write(Data("swiftlet: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
