import NetAddress

/// The masquerade rules of `ipMasq`, as iptables-restore input (pure): one chain per
/// network holding "don't masquerade inside the subnet, masquerade the rest but
/// multicast", and one jump from nat POSTROUTING per pod address.
enum IPMasqRules {
    /// "SWIFTLET-MASQ-" and a hash of the network name (chain names stop at 28 characters).
    static func chain(network: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in network.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "SWIFTLET-MASQ-" + String((String(repeating: "0", count: 16 - hex.count) + hex).prefix(12))
    }

    static func jump(network: String, containerID: String, pod: IPv4Address) -> String {
        "-A POSTROUTING -s \(pod)/32 -m comment --comment \"swiftlet-bridge: \(network) id: \(containerID)\" -j \(chain(network: network))"
    }

    /// Declares (and so flushes) the chain, fills it and adds the pod's jump, atomically.
    static func add(network: String, subnet: IPv4Prefix, containerID: String, pod: IPv4Address) -> String {
        let c = chain(network: network)
        let comment = "\"swiftlet-bridge: \(network)\""
        return """
            *nat
            :\(c) - [0:0]
            -A \(c) -d \(subnet.masked) -m comment --comment \(comment) -j ACCEPT
            -A \(c) ! -d 224.0.0.0/4 -m comment --comment \(comment) -j MASQUERADE
            \(jump(network: network, containerID: containerID, pod: pod))
            COMMIT

            """
    }

    /// Removes the pod's jump and, with `removeChain`, the chain itself (which fails, and
    /// so undoes the whole transaction, while another pod still jumps to it).
    static func delete(network: String, containerID: String, pod: IPv4Address, removeChain: Bool) -> String {
        let c = chain(network: network)
        var text = "*nat\n"
        text += "-D" + jump(network: network, containerID: containerID, pod: pod).dropFirst(2) + "\n"
        if removeChain { text += "-F \(c)\n-X \(c)\n" }
        return text + "COMMIT\n"
    }
}

/// Applies IPMasqRules with one `iptables-restore --noflush` per change.
struct IPMasq {
    let iptablesRestore: String

    init() throws {
        let path = Posix.environment("PATH")?.split(separator: ":").map(String.init) ?? []
        guard let found = ProcessRunner.find("iptables-restore", in: path + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
        else {
            throw CNIError(.hostSetupFailed, "ipMasq needs iptables-restore, which is not installed")
        }
        iptablesRestore = found
    }

    func apply(_ rules: String) throws -> ProcessOutput {
        try ProcessRunner.run(
            iptablesRestore, arguments: ["-w", "--noflush"],
            environment: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], stdin: Array(rules.utf8))
    }

    func add(network: String, subnet: IPv4Prefix, containerID: String, pod: IPv4Address) throws {
        let out = try apply(IPMasqRules.add(network: network, subnet: subnet, containerID: containerID, pod: pod))
        guard out.status == 0 else {
            throw CNIError(.hostSetupFailed, "ipMasq: iptables-restore failed: \(out.stderrText)")
        }
    }

    /// Removes the pod's rule; with `lastPod`, tries to drop the chain too. A rule that is
    /// already gone is fine (DEL is idempotent).
    func delete(network: String, containerID: String, pod: IPv4Address, lastPod: Bool) throws {
        if lastPod {
            let out = try apply(
                IPMasqRules.delete(network: network, containerID: containerID, pod: pod, removeChain: true))
            if out.status == 0 { return }
        }
        _ = try apply(IPMasqRules.delete(network: network, containerID: containerID, pod: pod, removeChain: false))
    }
}
