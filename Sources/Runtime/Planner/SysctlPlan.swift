#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One `linux.sysctl` entry as the child writes it: `path` under /proc/sys.
public struct PlannedSysctl: Equatable, Sendable {
    public var path: String
    public var value: String
}

/// `linux.sysctl` under runc's rules: /proc/sys is only partly namespaced, so a key is taken
/// only when the container has its own namespace of the kind the key lives in (new or
/// joined, but for net.* not the runtime's own network namespace). Pure but for `host`.
enum SysctlPlan {
    /// IPC-namespaced keys besides fs.mqueue.*.
    static let ipcKeys: Set<String> = [
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    ]

    /// sysctl(8) also takes "/" as the separator ("net/ipv4/conf/eth0.100/rp_filter"): with
    /// "/" first, the two swap, so that the dotted form names the key the same way.
    static func dotted(_ key: String) -> String {
        guard let first = key.firstIndex(where: { $0 == "." || $0 == "/" }), key[first] == "/" else { return key }
        return swapped(key)
    }

    /// The file under /proc/sys for a dotted key.
    static func procPath(_ dotted: String) -> String { swapped(dotted) }

    private static func swapped(_ text: String) -> String {
        String(text.map { $0 == "." ? "/" : $0 == "/" ? "." : $0 })
    }

    static func plan(
        _ sysctl: [String: String], newNamespaces: Set<NamespaceKind>, joinNamespaces: [NamespaceKind: String],
        host: PlannerHost
    ) throws -> [PlannedSysctl] {
        func has(_ kind: NamespaceKind) -> Bool { newNamespaces.contains(kind) || joinNamespaces[kind] != nil }
        var planned: [PlannedSysctl] = []
        for (key, value) in sysctl.sorted(by: { $0.key < $1.key }) {
            let name = dotted(key)
            // The file must stay under /proc/sys: no empty, "." or ".." component.
            let components = procPath(name).split(separator: "/", omittingEmptySubsequences: false)
            guard !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }), !name.contains("\0")
            else { throw refusal("invalid sysctl name \"\(key)\"") }
            if ipcKeys.contains(name) || name.hasPrefix("fs.mqueue.") {
                guard has(.ipc) else { throw refusal("sysctl \"\(name)\" is not allowed in the host's ipc namespace") }
            } else if name.hasPrefix("net.") {
                let hostNet = !has(.network) || joinNamespaces[.network].map(host.isCurrentNetworkNamespace) == true
                if hostNet { throw refusal("sysctl \"\(name)\" is not allowed in the host's network namespace") }
            } else if has(.uts) && name == "kernel.domainname" {
                // namespaced, and no OCI field of its own
            } else if has(.uts) && name == "kernel.hostname" {
                throw refusal("sysctl \"\(name)\" is not allowed: it conflicts with the OCI \"hostname\" field")
            } else {
                throw refusal("sysctl \"\(name)\" is not in a separate kernel namespace")
            }
            planned.append(PlannedSysctl(path: procPath(name), value: value))
        }
        return planned
    }

    private static func refusal(_ reason: String) -> RuntimeError {
        .invalidConfig(field: "linux.sysctl", reason: reason)
    }
}

extension PlannerHost {
    /// Whether `path` is the runtime's own network namespace (runc's isHostNetNS: the same
    /// nsfs inode as /proc/self/ns/net).
    public func isCurrentNetworkNamespace(_ path: String) -> Bool {
        var a = stat()
        var b = stat()
        guard stat("/proc/self/ns/net", &a) == 0, stat(path, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}
