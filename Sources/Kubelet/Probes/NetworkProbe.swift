import Foundation
import NodeSupport

/// httpGet and tcpSocket probes over plain sockets, each bounded by the probe's timeout.
public enum NetworkProbe {
    /// Connects to host:port; success when the TCP handshake completes in time.
    public static func tcp(host: String, port: Int, timeout: TimeInterval) -> ProbeOutcome {
        switch connect(host: host, port: port, timeout: timeout) {
        case .success(let fd):
            close(fd)
            return .success
        case .failure(let message):
            return .failure(message)
        }
    }

    /// Sends a GET; success for a status from 200 to 399, as upstream.
    public static func http(
        host: String, port: Int, path: String, hostHeader: String? = nil,
        headers: [(String, String)] = [], timeout: TimeInterval
    ) -> ProbeOutcome {
        let deadline = Date().addingTimeInterval(timeout)
        let fd: Int32
        switch connect(host: host, port: port, timeout: timeout) {
        case .success(let connected): fd = connected
        case .failure(let message): return .failure(message)
        }
        defer { close(fd) }
        var request = "GET \(path.isEmpty ? "/" : path) HTTP/1.1\r\nHost: \(hostHeader ?? "\(host):\(port)")\r\n"
        request += "User-Agent: kube-probe/1.31\r\nAccept: */*\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            return .failure("send: \(SystemError.message(errno, style: .libc))")
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !response.contains(UInt8(ascii: "\n")) {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, waitFor(fd, events: Int16(POLLIN), timeout: remaining) else {
                return .failure("Get \"http://\(host):\(port)\(path)\": context deadline exceeded")
            }
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        guard let code = statusCode(of: response) else {
            return .failure("malformed HTTP response from \(host):\(port)")
        }
        return (200..<400).contains(code) ? .success : .failure("HTTP probe failed with statuscode: \(code)")
    }

    /// The status code of an HTTP response's first line.
    static func statusCode(of response: [UInt8]) -> Int? {
        let line = String(decoding: response.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
        return Int(parts[1])
    }

    private enum Connection {
        case success(Int32)
        case failure(String)
    }

    private static func connect(host: String, port: Int, timeout: TimeInterval) -> Connection {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            return .failure("invalid probe address \(host)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return .failure("socket: \(SystemError.message(errno, style: .libc))") }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc < 0 && errno != EINPROGRESS {
            let message = SystemError.message(errno, style: .libc)
            close(fd)
            return .failure("dial tcp \(host):\(port): connect: \(message)")
        }
        guard waitFor(fd, events: Int16(POLLOUT), timeout: timeout) else {
            close(fd)
            return .failure("dial tcp \(host):\(port): i/o timeout")
        }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        if error != 0 {
            close(fd)
            return .failure("dial tcp \(host):\(port): connect: \(SystemError.message(error, style: .libc))")
        }
        return .success(fd)
    }

    private static func waitFor(_ fd: Int32, events: Int16, timeout: TimeInterval) -> Bool {
        var pfd = pollfd(fd: fd, events: events, revents: 0)
        return poll(&pfd, 1, Int32(max(timeout, 0) * 1000)) > 0
    }
}
