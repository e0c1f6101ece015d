import Foundation
import Testing
@testable import Runtime

/// What the seccomp section of a spec decides for one call: the first rule naming the
/// syscall whose argument conditions all hold (OCI semantics: conditions in one rule AND,
/// rules OR), else the default action.
struct SeccompVerdict: Equatable {
    var action: String
    var errno: Int?

    static func evaluate(_ seccomp: [String: Any], syscall: String, args: [UInt64] = []) -> SeccompVerdict {
        let rules = seccomp["syscalls"] as? [[String: Any]] ?? []
        for rule in rules where (rule["names"] as? [String] ?? []).contains(syscall) {
            let conditions = rule["args"] as? [[String: Any]] ?? []
            let holds = conditions.allSatisfy { condition in
                let index = condition["index"] as! Int
                let value = (condition["value"] as! NSNumber).uint64Value
                let valueTwo = (condition["valueTwo"] as? NSNumber)?.uint64Value ?? 0
                let arg = index < args.count ? args[index] : 0
                switch condition["op"] as! String {
                case "SCMP_CMP_EQ": return arg == value
                case "SCMP_CMP_NE": return arg != value
                case "SCMP_CMP_MASKED_EQ": return arg & value == valueTwo
                default: return false
                }
            }
            if holds { return SeccompVerdict(action: rule["action"] as! String, errno: rule["errnoRet"] as? Int) }
        }
        return SeccompVerdict(
            action: seccomp["defaultAction"] as! String, errno: seccomp["defaultErrnoRet"] as? Int)
    }
}

@Suite struct DefaultSpecTests {
    let spec: [String: Any]
    let seccomp: [String: Any]

    init() throws {
        spec = try JSONSerialization.jsonObject(with: Data(DefaultSpec.json.utf8)) as! [String: Any]
        seccomp = (spec["linux"] as! [String: Any])["seccomp"] as! [String: Any]
    }

    static let dockerCapabilities: Set<String> = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ]

    @Test func processRootAndCapabilities() throws {
        let process = spec["process"] as! [String: Any]
        #expect(process["args"] as? [String] == ["sh"])
        #expect(process["noNewPrivileges"] as? Bool == true)
        #expect((spec["root"] as! [String: Any])["path"] as? String == "rootfs")
        let caps = process["capabilities"] as! [String: [String]]
        #expect(Set(caps.keys) == ["bounding", "effective", "permitted"])
        for (set, names) in caps {
            #expect(Set(names) == Self.dockerCapabilities, "\(set)")
            #expect(names.count == Self.dockerCapabilities.count, "\(set) has duplicates")
        }
        #expect(!caps["bounding"]!.contains("CAP_SYS_ADMIN"))
        let namespaces = (spec["linux"] as! [String: Any])["namespaces"] as! [[String: String]]
        #expect(namespaces.map { $0["type"]! } == ["pid", "network", "ipc", "uts", "mount", "cgroup"])
    }

    @Test func seccompDefaultsToEPERMOnX86() {
        #expect(seccomp["defaultAction"] as? String == "SCMP_ACT_ERRNO")
        #expect(seccomp["defaultErrnoRet"] as? Int == 1)
        #expect(seccomp["architectures"] as? [String] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
    }

    @Test(arguments: ["read", "write", "execve", "openat", "mmap", "exit_group", "wait4", "chroot",
                      "arch_prctl", "ptrace", "setuid", "socketpair", "io_uring_setup"])
    func allowed(_ name: String) {
        #expect(SeccompVerdict.evaluate(seccomp, syscall: name) == SeccompVerdict(action: "SCMP_ACT_ALLOW"))
    }

    @Test(arguments: ["mount", "umount2", "reboot", "kexec_load", "init_module", "unshare", "setns",
                      "bpf", "perf_event_open", "sethostname", "swapon", "open_by_handle_at", "acct"])
    func deniedWithEPERM(_ name: String) {
        #expect(SeccompVerdict.evaluate(seccomp, syscall: name) == SeccompVerdict(action: "SCMP_ACT_ERRNO", errno: 1))
    }

    @Test func cloneOnlyWithoutNamespaceFlags() {
        let SIGCHLD: UInt64 = 17, CLONE_VM: UInt64 = 0x100, CLONE_THREAD: UInt64 = 0x10000
        let CLONE_NEWNS: UInt64 = 0x20000, CLONE_NEWUSER: UInt64 = 0x1000_0000, CLONE_NEWNET: UInt64 = 0x4000_0000
        let allow = SeccompVerdict(action: "SCMP_ACT_ALLOW")
        let eperm = SeccompVerdict(action: "SCMP_ACT_ERRNO", errno: 1)
        #expect(SeccompVerdict.evaluate(seccomp, syscall: "clone", args: [SIGCHLD]) == allow)
        #expect(SeccompVerdict.evaluate(seccomp, syscall: "clone", args: [CLONE_VM | CLONE_THREAD]) == allow)
        for flag in [CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET] {
            #expect(SeccompVerdict.evaluate(seccomp, syscall: "clone", args: [SIGCHLD | flag]) == eperm)
        }
        // clone3 hides its flags from seccomp: ENOSYS sends libc back to clone.
        #expect(SeccompVerdict.evaluate(seccomp, syscall: "clone3") == SeccompVerdict(action: "SCMP_ACT_ERRNO", errno: 38))
    }

    @Test func personalityAndSocketConditions() {
        let allow = SeccompVerdict(action: "SCMP_ACT_ALLOW")
        #expect(SeccompVerdict.evaluate(seccomp, syscall: "personality", args: [0]) == allow)
        #expect(SeccompVerdict.evaluate(seccomp, syscall: "personality", args: [0xffff_ffff]) == allow)
        // ADDR_NO_RANDOMIZE would turn off ASLR: denied.
        #expect(SeccompVerdict.evaluate(seccomp, syscall: "personality", args: [0x0040000]).action == "SCMP_ACT_ERRNO")
        #expect(SeccompVerdict.evaluate(seccomp, syscall: "socket", args: [2]) == allow)  // AF_INET
        #expect(SeccompVerdict.evaluate(seccomp, syscall: "socket", args: [40]).action == "SCMP_ACT_ERRNO")  // AF_VSOCK
    }
}
