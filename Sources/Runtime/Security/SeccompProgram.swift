#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntimeShim
import NodeSupport

/// A seccomp profile compiled to classic BPF by libseccomp in the parent, ready for the
/// child to load with one syscall. Compiling Docker's profile costs milliseconds, so the
/// result is cached on disk under a key of the profile's full text (checked on read, so a
/// hash collision can only cost a recompile).
public struct SeccompProgram: Sendable, Equatable {
    /// struct sock_filter[] bytes.
    public var bytes: [UInt8]

    static let actions: [String: Int32] = [
        "SCMP_ACT_KILL": CRS_SECCOMP_ACT_KILL_THREAD,
        "SCMP_ACT_KILL_THREAD": CRS_SECCOMP_ACT_KILL_THREAD,
        "SCMP_ACT_KILL_PROCESS": CRS_SECCOMP_ACT_KILL_PROCESS,
        "SCMP_ACT_TRAP": CRS_SECCOMP_ACT_TRAP,
        "SCMP_ACT_ERRNO": CRS_SECCOMP_ACT_ERRNO,
        "SCMP_ACT_TRACE": CRS_SECCOMP_ACT_TRACE,
        "SCMP_ACT_ALLOW": CRS_SECCOMP_ACT_ALLOW,
        "SCMP_ACT_LOG": CRS_SECCOMP_ACT_LOG,
    ]

    static let operators: [String: Int32] = [
        "SCMP_CMP_NE": 1, "SCMP_CMP_LT": 2, "SCMP_CMP_LE": 3, "SCMP_CMP_EQ": 4,
        "SCMP_CMP_GE": 5, "SCMP_CMP_GT": 6, "SCMP_CMP_MASKED_EQ": 7,
    ]

    /// Refuses unknown actions, operators and architectures, naming the field.
    public static func validate(_ profile: LinuxSeccomp) throws {
        guard actions[profile.defaultAction] != nil else {
            throw RuntimeError.invalidConfig(field: "linux.seccomp.defaultAction", reason: "unknown action \"\(profile.defaultAction)\"")
        }
        for (i, arch) in (profile.architectures ?? []).enumerated() where !arch.hasPrefix("SCMP_ARCH_") {
            throw RuntimeError.invalidConfig(field: "linux.seccomp.architectures[\(i)]", reason: "unknown architecture \"\(arch)\"")
        }
        for (i, rule) in (profile.syscalls ?? []).enumerated() {
            guard actions[rule.action] != nil else {
                throw RuntimeError.invalidConfig(field: "linux.seccomp.syscalls[\(i)].action", reason: "unknown action \"\(rule.action)\"")
            }
            if (rule.args ?? []).count > 6 {
                throw RuntimeError.invalidConfig(field: "linux.seccomp.syscalls[\(i)].args", reason: "at most 6 comparisons")
            }
            for (j, arg) in (rule.args ?? []).enumerated() {
                guard operators[arg.op] != nil else {
                    throw RuntimeError.invalidConfig(field: "linux.seccomp.syscalls[\(i)].args[\(j)].op", reason: "unknown operator \"\(arg.op)\"")
                }
                guard arg.index < 6 else {
                    throw RuntimeError.invalidConfig(field: "linux.seccomp.syscalls[\(i)].args[\(j)].index", reason: "must be 0...5")
                }
            }
        }
    }

    /// The compiled program, from `cacheDirectory` when it holds this profile, else compiled
    /// and stored there (nil directory: no cache).
    public static func load(_ profile: LinuxSeccomp, cacheDirectory: String?) throws -> SeccompProgram {
        let key = cacheKey(profile)
        let file = cacheDirectory.map { "\($0)/\(hexHash(key)).bpf" }
        if let file, let cached = readCache(file, key: key) { return SeccompProgram(bytes: cached) }
        let program = try compile(profile)
        if let file, let cacheDirectory {
            _ = mkdir(cacheDirectory, 0o700)
            let keyBytes = Array(key.utf8)
            var header = [UInt8](repeating: 0, count: 8)
            withUnsafeBytes(of: UInt64(keyBytes.count).littleEndian) { header = Array($0) }
            try? FileBytes.writeAtomically(file, header + keyBytes + program.bytes, mode: 0o600)
        }
        return program
    }

    private static func readCache(_ file: String, key: String) -> [UInt8]? {
        guard let data = try? FileBytes.read(file), data.count >= 8 else { return nil }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(data[i]) << (8 * UInt64(i)) }
        let keyBytes = Array(key.utf8)
        guard length == UInt64(keyBytes.count), data.count > 8 + keyBytes.count,
              data[8..<(8 + keyBytes.count)].elementsEqual(keyBytes)
        else { return nil }
        let program = Array(data[(8 + keyBytes.count)...])
        return program.count % 8 == 0 ? program : nil
    }

    /// Compiles with libseccomp (no cache).
    public static func compile(_ profile: LinuxSeccomp) throws -> SeccompProgram {
        try validate(profile)
        let arches = (profile.architectures ?? []).map { String($0.dropFirst("SCMP_ARCH_".count)).lowercased() }
        let defaultErrno = profile.defaultErrnoRet ?? UInt32(EPERM)
        var names: [UnsafeMutablePointer<CChar>?] = []
        defer { names.forEach { free($0) } }
        let archPointers = arches.map { strdup($0) }
        defer { archPointers.forEach { free($0) } }
        var argStorage: [[crs_seccomp_arg]] = []
        var ruleSpecs: [(name: Int, action: Int32, value: UInt32, args: Int)] = []
        for rule in profile.syscalls ?? [] {
            let args = (rule.args ?? []).map {
                crs_seccomp_arg(index: $0.index, op: operators[$0.op]!, value: $0.value, value_two: $0.valueTwo ?? 0)
            }
            argStorage.append(args)
            let action = actions[rule.action]!
            let value = action == CRS_SECCOMP_ACT_ERRNO ? (rule.errnoRet ?? defaultErrno) : (rule.errnoRet ?? 0)
            for name in rule.names {
                names.append(strdup(name))
                ruleSpecs.append((names.count - 1, action, value, argStorage.count - 1))
            }
        }
        var out: UnsafeMutableRawPointer?
        var outLength = 0
        var failed: UnsafePointer<CChar>?
        let defaultAction = actions[profile.defaultAction]!
        let rc: Int32 = withArgPointers(argStorage) { argPointers in
            var rules = ruleSpecs.map {
                crs_seccomp_rule(
                    syscall: UnsafePointer(names[$0.name]), action: $0.action, action_value: $0.value,
                    args: argPointers[$0.args], args_count: argStorage[$0.args].count)
            }
            var archList = archPointers.map { UnsafePointer<CChar>($0) }
            return archList.withUnsafeMutableBufferPointer { archBuffer in
                rules.withUnsafeMutableBufferPointer { ruleBuffer in
                    crs_seccomp_compile(
                        defaultAction, defaultAction == CRS_SECCOMP_ACT_ERRNO ? defaultErrno : 0,
                        archBuffer.baseAddress, archBuffer.count, ruleBuffer.baseAddress, ruleBuffer.count,
                        &out, &outLength, &failed)
                }
            }
        }
        if rc != 0 {
            let err = errno
            throw SystemError(errno: err, operation: "compile seccomp", detail: failed.map { String(cString: $0) } ?? "")
        }
        defer { free(out) }
        let bytes = [UInt8](UnsafeRawBufferPointer(start: out, count: outLength))
        return SeccompProgram(bytes: bytes)
    }

    /// Stable pointers to each rule's comparisons for the duration of `body`.
    private static func withArgPointers<R>(
        _ storage: [[crs_seccomp_arg]], _ body: ([UnsafePointer<crs_seccomp_arg>?]) -> R
    ) -> R {
        var pointers: [UnsafeMutablePointer<crs_seccomp_arg>?] = []
        defer { pointers.forEach { $0?.deallocate() } }
        for args in storage {
            if args.isEmpty {
                pointers.append(nil)
                continue
            }
            let p = UnsafeMutablePointer<crs_seccomp_arg>.allocate(capacity: args.count)
            p.initialize(from: args, count: args.count)
            pointers.append(p)
        }
        return body(pointers.map { UnsafePointer($0) })
    }

    /// The profile's full text in a fixed order, plus libseccomp's version.
    static func cacheKey(_ p: LinuxSeccomp) -> String {
        var key = "swiftlet-seccomp-1 libseccomp-\(String(cString: crs_seccomp_version()))\n"
        key += "\(p.defaultAction) \(p.defaultErrnoRet.map(String.init) ?? "-")\n"
        key += (p.architectures ?? []).joined(separator: ",") + "\n"
        for rule in p.syscalls ?? [] {
            key += rule.names.joined(separator: ",") + " \(rule.action) \(rule.errnoRet.map(String.init) ?? "-")"
            for arg in rule.args ?? [] {
                key += " \(arg.index):\(arg.op):\(arg.value):\(arg.valueTwo.map(String.init) ?? "-")"
            }
            key += "\n"
        }
        return key
    }

    /// FNV-1a 64, as hex: a file name for the key.
    static func hexHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
