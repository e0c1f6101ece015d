import CTLS
import Foundation

/// The status line and headers of an HTTP/1.1 response, plus its body when it was read
/// into memory (errors, manifests, tokens).
struct HTTPResponse: Sendable {
    var status: Int
    var reason: String
    var headers: [(name: String, value: String)]
    var body = Data()
    /// The URL that answered (after redirects).
    var url: HTTPURL

    /// The first header of that name (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    func headers(named name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }
}

/// A URL as the HTTP client needs it: TLS or not, host, port, and the request target.
struct HTTPURL: Sendable, Hashable, CustomStringConvertible {
    var secure: Bool
    var host: String
    var port: Int
    /// Path and query, percent-encoded, starting with "/".
    var target: String

    init(secure: Bool, host: String, port: Int? = nil, target: String) {
        self.secure = secure
        self.host = host
        self.port = port ?? (secure ? 443 : 80)
        self.target = target
    }

    /// Parses an absolute http(s) URL, or one relative to `base` (a redirect's Location).
    init?(_ string: String, relativeTo base: HTTPURL? = nil) {
        if let base, !string.lowercased().hasPrefix("http://"), !string.lowercased().hasPrefix("https://") {
            if string.hasPrefix("//") {
                self.init((base.secure ? "https:" : "http:") + string)
                return
            }
            var target = string
            if !target.hasPrefix("/") {
                let path = base.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
                target = String(path[...(path.lastIndex(of: "/") ?? path.startIndex)]) + target
            }
            self.init(secure: base.secure, host: base.host, port: base.port, target: target)
            return
        }
        guard let components = URLComponents(string: string), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else { return nil }
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        self.init(secure: scheme == "https", host: host, port: components.port, target: target)
    }

    /// `host:port` as the Host header writes it (the port only when not the scheme's default).
    var authority: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }

    var description: String { "\(secure ? "https" : "http")://\(authority)\(target)" }
}

/// Why a transfer failed below HTTP: DNS, TCP, TLS or a malformed response.
struct TransportFailure: Error, CustomStringConvertible {
    enum Kind { case connect, notTLS, verify, tls, io }
    var kind: Kind
    var message: String
    var description: String { message }
}

/// One HTTP/1.1 connection (plain or TLS) with a read buffer; requests go one at a time.
final class HTTPConnection {
    private let handle: OpaquePointer
    private let buffer: UnsafeMutableRawPointer
    private let capacity = 256 << 10
    private var start = 0
    private var end = 0
    let host: String
    let port: Int
    let secure: Bool

    /// Dials host:port; `context` nil means plain TCP.
    init(context: OpaquePointer?, host: String, port: Int, timeoutMilliseconds: Int32) throws {
        var kind: Int32 = 0
        var err = [CChar](repeating: 0, count: 512)
        guard let handle = ctls_connect(context, host, String(port), timeoutMilliseconds, &kind, &err, err.count) else {
            let message = String(cString: err)
            let mapped: TransportFailure.Kind =
                kind == CTLS_ERR_NOT_TLS ? .notTLS : kind == CTLS_ERR_VERIFY ? .verify : kind == CTLS_ERR_TLS ? .tls : .connect
            throw TransportFailure(kind: mapped, message: message)
        }
        self.handle = handle
        self.host = host
        self.port = port
        self.secure = context != nil
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        ctls_close(handle)
        buffer.deallocate()
    }

    func send(_ text: String) throws {
        var err = [CChar](repeating: 0, count: 256)
        var bytes = Array(text.utf8)
        let rc = bytes.withUnsafeMutableBytes { ctls_write_all(handle, $0.baseAddress, $0.count, &err, err.count) }
        if rc != 0 { throw TransportFailure(kind: .io, message: "\(host):\(port): \(String(cString: err))") }
    }

    /// Reads more bytes after those buffered; false at end of stream.
    private func fill() throws -> Bool {
        if start == end {
            start = 0
            end = 0
        } else if end == capacity {
            memmove(buffer, buffer + start, end - start)
            end -= start
            start = 0
        }
        var err = [CChar](repeating: 0, count: 256)
        let n = ctls_read(handle, buffer + end, capacity - end, &err, err.count)
        if n < 0 { throw TransportFailure(kind: .io, message: "\(host):\(port): \(String(cString: err))") }
        end += n
        return n > 0
    }

    private func readLine(limit: Int = 64 << 10) throws -> String {
        var scanned = start
        while true {
            while scanned < end {
                if buffer.load(fromByteOffset: scanned, as: UInt8.self) == 0x0A {
                    var lineEnd = scanned
                    if lineEnd > start && buffer.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D { lineEnd -= 1 }
                    let line = String(decoding: UnsafeRawBufferPointer(start: buffer + start, count: lineEnd - start), as: UTF8.self)
                    start = scanned + 1
                    return line
                }
                scanned += 1
            }
            guard scanned - start < limit else { throw TransportFailure(kind: .io, message: "\(host):\(port): response line too long") }
            let offset = scanned - start
            guard try fill() else {
                throw TransportFailure(kind: .io, message: "\(host):\(port): connection closed before the response was complete")
            }
            scanned = start + offset
        }
    }

    /// Reads a status line and headers (skipping 1xx interim responses).
    func readHead(url: HTTPURL) throws -> HTTPResponse {
        while true {
            let statusLine = try readLine()
            let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                throw TransportFailure(kind: .io, message: "\(host):\(port): not an HTTP response: \(statusLine.prefix(80))")
            }
            var headers: [(name: String, value: String)] = []
            while true {
                let line = try readLine()
                if line.isEmpty { break }
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append((String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                                String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
            if status >= 100 && status < 200 { continue }
            return HTTPResponse(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, url: url)
        }
    }

    /// Streams the body of `response` to `sink`; returns whether the connection can carry
    /// another request.
    func readBody(of response: HTTPResponse, method: String, sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        let close = response.header("Connection")?.lowercased().contains("close") ?? false
        if method == "HEAD" || response.status == 204 || response.status == 304 { return !close }
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            while true {
                let sizeLine = try readLine()
                let hex = sizeLine.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                guard let size = Int(hex, radix: 16), size >= 0 else {
                    throw TransportFailure(kind: .io, message: "\(host):\(port): bad chunk size \"\(sizeLine.prefix(20))\"")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    return !close
                }
                try copy(size, to: sink)
                guard try readLine().isEmpty else { throw TransportFailure(kind: .io, message: "\(host):\(port): bad chunk framing") }
            }
        }
        if let lengthText = response.header("Content-Length") {
            guard let length = Int(lengthText), length >= 0 else {
                throw TransportFailure(kind: .io, message: "\(host):\(port): bad Content-Length \"\(lengthText)\"")
            }
            try copy(length, to: sink)
            return !close
        }
        // No framing: the body runs to the end of the stream.
        while true {
            if start < end {
                try sink(UnsafeRawBufferPointer(start: buffer + start, count: end - start))
                start = end
            }
            guard try fill() else { return false }
        }
    }

    private func copy(_ count: Int, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var remaining = count
        while remaining > 0 {
            if start == end {
                guard try fill() else {
                    throw TransportFailure(kind: .io, message: "\(host):\(port): connection closed with \(remaining) of \(count) body bytes unread")
                }
            }
            let n = min(remaining, end - start)
            try sink(UnsafeRawBufferPointer(start: buffer + start, count: n))
            start += n
            remaining -= n
        }
    }
}
