import Foundation

/// Puts the cluster DNS IP (kube-dns's ClusterIP, 10.96.0.10 by default) on a local device
/// so the responder can bind it: a host route (/32 or /128) on `lo` of the node's network
/// namespace, as node-local-dns does with its dummy interface.
///
/// Only for network namespaces Swiftlet owns: the agent's node namespace, or a namespace a
/// test created (`scripts/in-private-ns.sh`). Never call it from a process in the machine's
/// own namespace during tests.
public enum ClusterDNSAddress {
    /// Why `ip` failed: the command and its stderr.
    public struct CommandError: Error, CustomStringConvertible, Sendable {
        public var command: String
        public var output: String
        public var description: String { "\(command): \(output.trimmingCharacters(in: .whitespacesAndNewlines))" }
    }

    /// Adds `ip` to `device` (idempotent: `ip addr replace`). With `netnsPath` (a pinned
    /// nsfs file or /proc/<pid>/ns/net), the address goes into that namespace via nsenter.
    public static func add(_ ip: String, device: String = "lo", netnsPath: String? = nil) throws {
        try run(addressCommand("replace", ip: ip, device: device, netnsPath: netnsPath))
    }

    /// Removes the address again; an address that is already gone is not an error.
    public static func remove(_ ip: String, device: String = "lo", netnsPath: String? = nil) throws {
        do {
            try run(addressCommand("del", ip: ip, device: device, netnsPath: netnsPath))
        } catch let error as CommandError where error.output.contains("Cannot assign requested address") {
            return
        }
    }

    /// The argv that adds or removes the address; pure so tests can check it.
    static func addressCommand(_ verb: String, ip: String, device: String, netnsPath: String?) throws -> [String] {
        guard let bytes = DNSAddressText.bytes(of: ip) else {
            throw CommandError(command: "ip addr \(verb)", output: "\"\(ip)\" is not an IP address")
        }
        let prefix = bytes.count == 4 ? 32 : 128
        let ipArgs = ["ip", "addr", verb, "\(ip)/\(prefix)", "dev", device]
        guard let netnsPath else { return ipArgs }
        return ["nsenter", "--net=\(netnsPath)", "--"] + ipArgs
    }

    /// Runs an `ip` (or `nsenter … ip`) command, throwing its stderr when it fails; the
    /// kubelet's service route goes through it too.
    public static func run(_ argv: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CommandError(command: argv.joined(separator: " "), output: "\(error)")
        }
        let output = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandError(command: argv.joined(separator: " "), output: String(decoding: output, as: UTF8.self))
        }
    }
}
