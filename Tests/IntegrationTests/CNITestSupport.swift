import CNI
import Foundation
import Testing

@_silgen_name("setns") private func cniTestSetns(_ fd: Int32, _ nstype: Int32) -> Int32
private let cloneNewNet: Int32 = 0x4000_0000

/// Helpers of the CNI integration tests (namespaced so they never clash with other suites).
enum CNIHarness {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: JSONValue? { try? JSONValue.parse(stdout) }
    }

    /// Runs a program to completion.
    @discardableResult
    static func run(
        _ path: String, _ arguments: [String] = [], stdin: String? = nil,
        environment: [String: String]? = nil
    ) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let errData = CNILockedData()
        let errThread = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        errThread.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.done { usleep(1000) }
        return Output(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self))
    }

    /// Runs `ip` (test tooling only; the plugin itself never does).
    @discardableResult
    static func ip(_ arguments: String...) throws -> String {
        try run("/usr/sbin/ip", arguments).stdout
    }

    static var bridgePlugin: String { builtBinary("swiftlet-bridge") }

    /// One exec of a plugin by the CNI protocol.
    static func plugin(
        _ command: String, config: String, containerID: String, netns: String?,
        ifName: String = "eth0", args: String = "", path: String = bridgePlugin
    ) throws -> Output {
        var env = [
            "CNI_COMMAND": command, "CNI_CONTAINERID": containerID, "CNI_IFNAME": ifName,
            "CNI_PATH": "/usr/lib/cni", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        ]
        if let netns { env["CNI_NETNS"] = netns }
        if !args.isEmpty { env["CNI_ARGS"] = args }
        return try run(path, stdin: config, environment: env)
    }

    static func randomHex(_ n: Int = 6) -> String {
        String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(n))
    }

    static func tempDir(_ prefix: String) throws -> String {
        let dir = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A swiftlet-bridge (or reference bridge) plugin config.
    static func bridgeConfig(
        type: String = "swiftlet-bridge", name: String, bridge: String, subnet: String,
        dataDir: String, extra: String = "", rangeStart: String? = nil, rangeEnd: String? = nil,
        cniVersion: String = "1.0.0"
    ) -> String {
        var range = #""subnet":"\#(subnet)""#
        if let rangeStart { range += #","rangeStart":"\#(rangeStart)""# }
        if let rangeEnd { range += #","rangeEnd":"\#(rangeEnd)""# }
        return #"""
            {"cniVersion":"\#(cniVersion)","name":"\#(name)","type":"\#(type)","bridge":"\#(bridge)",\#(extra)
             "ipam":{"type":"host-local","ranges":[[{\#(range)}]],"dataDir":"\#(dataDir)"}}
            """#
    }

    /// The nat table as iptables-save prints it.
    static func natRules() throws -> String { try run("/usr/sbin/iptables-save", ["-t", "nat"]).stdout }

    /// Creates a socket inside the network namespace at `path` (from a thread that joins
    /// it and ends); the socket keeps working there from any thread.
    static func socket(inNamespace path: String?) throws -> Int32 {
        guard let path else { return Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
        let box = CNILockedFD()
        let thread = Thread {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0, cniTestSetns(fd, cloneNewNet) == 0 else {
                box.set(-errno)
                return
            }
            close(fd)
            box.set(Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0))
        }
        thread.start()
        let fd = box.wait()
        guard fd >= 0 else { throw CNIHarnessError("socket in \(path): errno \(-fd)") }
        return fd
    }

    static func address(_ ip: String, _ port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, ip, &addr.sin_addr)
        return addr
    }

    static func setTimeouts(_ fd: Int32) {
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A TCP listener on ip:port inside a namespace (nil: this one).
    static func listen(inNamespace path: String?, ip: String, port: UInt16) throws -> Int32 {
        let fd = try socket(inNamespace: path)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setTimeouts(fd)
        var addr = address(ip, port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0, Foundation.listen(fd, 16) == 0 else {
            let e = errno
            close(fd)
            throw CNIHarnessError("listen on \(ip):\(port): errno \(e)")
        }
        return fd
    }

    /// Connects from a namespace to ip:port where `listener` listens, sends a line and
    /// reads the server's answer back: true when the TCP round trip worked.
    static func tcpRoundTrip(from path: String?, to ip: String, port: UInt16, listener: Int32) throws -> Bool {
        let client = try socket(inNamespace: path)
        defer { close(client) }
        setTimeouts(client)
        var addr = address(ip, port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { return false }
        let server = accept(listener, nil, nil)
        guard server >= 0 else { return false }
        defer { close(server) }
        setTimeouts(server)
        guard send(client, "ping", 4, 0) == 4 else { return false }
        var buf = [UInt8](repeating: 0, count: 4)
        guard recv(server, &buf, 4, Int32(MSG_WAITALL)) == 4, buf == Array("ping".utf8) else { return false }
        guard send(server, "pong", 4, 0) == 4 else { return false }
        guard recv(client, &buf, 4, Int32(MSG_WAITALL)) == 4 else { return false }
        return buf == Array("pong".utf8)
    }
}

struct CNIHarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A named network namespace (/run/netns/<name>) for one test; `remove` deletes it.
struct CNITestNetns {
    let name: String
    var path: String { "/run/netns/\(name)" }

    init(_ prefix: String = "cnit") throws {
        name = "\(prefix)-\(CNIHarness.randomHex(8))"
        try CNIHarness.ip("netns", "add", name)
        guard FileManager.default.fileExists(atPath: path) else { throw CNIHarnessError("netns \(name) not created") }
    }

    func remove() { _ = try? CNIHarness.ip("netns", "del", name) }

    /// `ip` run inside the namespace.
    func ip(_ arguments: String...) throws -> String {
        try CNIHarness.run("/usr/sbin/ip", ["-n", name] + arguments).stdout
    }
}

final class CNILockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var finished = false
    func set(_ d: Data) {
        lock.withLock {
            data = d
            finished = true
        }
    }
    var done: Bool { lock.withLock { finished } }
    var value: Data { lock.withLock { data } }
}

final class CNILockedFD: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Int32?
    func set(_ v: Int32) {
        condition.lock()
        value = v
        condition.signal()
        condition.unlock()
    }
    func wait() -> Int32 {
        condition.lock()
        while value == nil { condition.wait() }
        let v = value!
        condition.unlock()
        return v
    }
}
