/// The host seam of the applier: how rules reach the kernel. `SystemIPTables` runs the real
/// tools; tests hand in a recorder.
public protocol IPTablesExecutor: Sendable {
    /// `iptables-restore -w --noflush` with `input` on stdin (one or more `*table … COMMIT`).
    func restore(_ input: String) throws
    /// `iptables -w -t TABLE ARGS`; false when iptables exits 1 (for `-C`: no such rule).
    func iptables(table: String, _ args: [String]) throws -> Bool
    /// `iptables-save -t TABLE`.
    func save(table: String) throws -> String
}

/// Runs the iptables tools installed on the host: the distribution default (`iptables`,
/// nf_tables-backed on Debian 12) or an explicit `-legacy`/`-nft` variant.
public struct SystemIPTables: IPTablesExecutor {
    /// Which set of binaries to run.
    public enum Variant: String, Sendable, CaseIterable {
        case system = ""
        case nft = "-nft"
        case legacy = "-legacy"
    }

    public var variant: Variant
    /// A named network namespace (`ip netns`) to run in instead of the caller's own.
    public var networkNamespace: String?

    public init(variant: Variant = .system, networkNamespace: String? = nil) {
        self.variant = variant
        self.networkNamespace = networkNamespace
    }

    private func run(_ command: String, _ args: [String], input: String? = nil) throws -> Command.Output {
        guard let networkNamespace else { return try Command.run(command, args, input: input) }
        return try Command.run("ip", ["netns", "exec", networkNamespace, command] + args, input: input)
    }

    var iptablesCommand: String { "iptables" + variant.rawValue }
    var restoreCommand: String { "iptables" + variant.rawValue + "-restore" }
    var saveCommand: String { "iptables" + variant.rawValue + "-save" }

    public func restore(_ input: String) throws {
        let result = try run(restoreCommand, ["-w", "--noflush"], input: input)
        guard result.status == 0 else {
            throw ProxyError("\(restoreCommand) failed (exit \(result.status)): \(firstLine(result.stderr))")
        }
    }

    public func iptables(table: String, _ args: [String]) throws -> Bool {
        let result = try run(iptablesCommand, ["-w", "-t", table] + args)
        switch result.status {
        case 0: return true
        case 1: return false
        default:
            throw ProxyError("\(iptablesCommand) -t \(table) \(args.joined(separator: " ")) failed (exit \(result.status)): \(firstLine(result.stderr))")
        }
    }

    public func save(table: String) throws -> String {
        let result = try run(saveCommand, ["-t", table])
        guard result.status == 0 else {
            throw ProxyError("\(saveCommand) -t \(table) failed (exit \(result.status)): \(firstLine(result.stderr))")
        }
        return result.stdout
    }

    private func firstLine(_ text: String) -> String {
        text.split(separator: "\n").first.map(String.init) ?? "no error output"
    }
}
