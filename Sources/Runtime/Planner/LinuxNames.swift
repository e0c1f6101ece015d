/// Name tables the spec uses for kernel numbers: capabilities and rlimits.
public enum LinuxNames {
    /// CAP_* names in kernel order (capability.h): the index is the number.
    public static let capabilities: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
        "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    private static let capabilityNumbers: [String: Int] = Dictionary(
        uniqueKeysWithValues: capabilities.enumerated().map { ($0.element, $0.offset) })

    /// The bit mask of a list of capability names; throws naming `field` for an unknown one.
    public static func capabilityMask(_ names: [String]?, field: String) throws -> UInt64 {
        var mask: UInt64 = 0
        for (i, name) in (names ?? []).enumerated() {
            let key = name.hasPrefix("CAP_") ? name : "CAP_" + name
            guard let bit = capabilityNumbers[key.uppercased()] else {
                throw RuntimeError.invalidConfig(field: "\(field)[\(i)]", reason: "unknown capability \"\(name)\"")
            }
            mask |= 1 << UInt64(bit)
        }
        return mask
    }

    /// RLIMIT_* names in kernel order.
    public static let rlimits: [String] = [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
        "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ]

    public static func rlimitNumber(_ name: String) -> Int32? {
        rlimits.firstIndex(of: name).map { Int32($0) }
    }
}
