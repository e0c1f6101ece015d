import Foundation
import NodeSupport

extension SystemError {
    /// A DNS socket operation that failed, naming the address; `reason` replaces errno's
    /// text when the problem is the input, not the kernel.
    static func dnsSocket(_ operation: String, address: String, errno: Int32, reason: String? = nil) -> SystemError {
        SystemError(errno: errno, operation: operation, detail: address, reason: reason, style: .libc)
    }
}

/// An IPv4 or IPv6 socket address built from text.
struct DNSSocketAddress: CustomStringConvertible {
    var storage = sockaddr_storage()
    var length: socklen_t
    let ip: String
    let port: UInt16

    init?(ip: String, port: UInt16) {
        self.ip = ip
        self.port = port
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, ip, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: v4) { dst.copyMemory(from: $0) } }
            return
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, ip, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: v6) { dst.copyMemory(from: $0) } }
            return
        }
        return nil
    }

    var family: Int32 { Int32(storage.ss_family) }

    var description: String { family == AF_INET6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }

    /// The port a bound socket got (for port 0).
    static func localPort(of fd: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        return withUnsafeBytes(of: storage) { raw in
            if Int32(storage.ss_family) == AF_INET6 {
                return UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            }
            return UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
        }
    }
}

/// Small blocking-socket helpers with deadlines, shared by the server and the forwarder.
enum DNSSocket {
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    /// glibc declares pipe2(2) only under _GNU_SOURCE, which Swift's Glibc module is built
    /// without (defining it for this module would change the socket calls' signatures), so
    /// the symbol is looked up once in the process (`nil` is RTLD_DEFAULT).
    private static let pipe2: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }

    /// A pipe whose ends are close-on-exec from the start: with pipe() and then fcntl, a
    /// child the agent spawns in between would inherit them.
    static func cloexecPipe(address: String) throws -> [Int32] {
        var fds: [Int32] = [-1, -1]
        guard let pipe2 else { throw SystemError.dnsSocket("pipe", address: address, errno: ENOSYS) }
        guard pipe2(&fds, O_CLOEXEC) == 0 else { throw SystemError.dnsSocket("pipe", address: address, errno: errno) }
        return fds
    }

    static func open(_ family: Int32, _ type: Int32, address: String) throws -> Int32 {
        let fd = socket(family, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.dnsSocket("socket", address: address, errno: errno) }
        return fd
    }

    /// Waits until `fd` is ready for `events` or the deadline passes.
    static func wait(_ fd: Int32, events: Int16, until deadline: Date) -> Bool {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return false }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&entry, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if rc > 0 { return true }
            if rc < 0 && errno == EINTR { continue }
            if rc < 0 { return false }
        }
    }

    /// Reads exactly `count` bytes from a stream socket before the deadline.
    static func readExactly(_ fd: Int32, _ count: Int, until deadline: Date) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            guard wait(fd, events: Int16(POLLIN), until: deadline) else { return nil }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, count - filled, 0) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n > 0 else { return nil }
            filled += n
        }
        return buffer
    }

    /// Writes all of `bytes` to a stream socket before the deadline.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], until deadline: Date) -> Bool {
        var sent = 0
        while sent < bytes.count {
            guard wait(fd, events: Int16(POLLOUT), until: deadline) else { return false }
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    /// A DNS message over TCP: two length bytes, then the message (RFC 1035 §4.2.2).
    static func readTCPMessage(_ fd: Int32, until deadline: Date) -> [UInt8]? {
        guard let prefix = readExactly(fd, 2, until: deadline) else { return nil }
        let length = Int(prefix[0]) << 8 | Int(prefix[1])
        return length == 0 ? [] : readExactly(fd, length, until: deadline)
    }

    static func writeTCPMessage(_ fd: Int32, _ message: [UInt8], until deadline: Date) -> Bool {
        let length = min(message.count, Int(UInt16.max))
        return writeAll(fd, [UInt8(length >> 8), UInt8(length & 0xFF)] + message.prefix(length), until: deadline)
    }

    /// Connects a socket, giving up at the deadline.
    static func connect(_ fd: Int32, to address: DNSSocketAddress, until deadline: Date) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        let rc = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        if rc == 0 { return true }
        guard errno == EINPROGRESS, wait(fd, events: Int16(POLLOUT), until: deadline) else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0
    }
}
