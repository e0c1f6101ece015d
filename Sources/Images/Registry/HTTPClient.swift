import CTLS
import Foundation

/// A small HTTP/1.1 client for registries: keep-alive connections pooled per host, TLS
/// with the system CAs plus an optional CA bundle, redirects, and plain-HTTP fallback for
/// hosts that may speak it (loopback and `--insecure-registry` hosts, as Docker does).
final class HTTPClient: @unchecked Sendable {
    /// How an authority (host:port) is reached once its first connection told us.
    enum Mode: Equatable { case tls(verify: Bool), plain }

    private let caFile: String?
    private let timeoutMilliseconds: Int32
    /// Hosts that may be reached over plain HTTP when they do not answer TLS.
    private let plainAllowed: @Sendable (_ host: String, _ port: Int) -> Bool
    /// Hosts whose certificates are not verified (`--insecure-registry`).
    private let skipVerify: @Sendable (_ host: String, _ port: Int) -> Bool
    private let lock = NSLock()
    private var contexts: [Bool: OpaquePointer] = [:]
    private var modes: [String: Mode] = [:]
    private var idle: [String: [HTTPConnection]] = [:]

    init(caFile: String?, timeout: TimeInterval,
         plainAllowed: @escaping @Sendable (String, Int) -> Bool, skipVerify: @escaping @Sendable (String, Int) -> Bool) {
        self.caFile = caFile
        self.timeoutMilliseconds = Int32(max(1, min(timeout, 3600)) * 1000)
        self.plainAllowed = plainAllowed
        self.skipVerify = skipVerify
    }

    deinit {
        for context in contexts.values { ctls_context_free(context) }
    }

    private func context(verify: Bool) throws -> OpaquePointer {
        lock.lock()
        defer { lock.unlock() }
        if let context = contexts[verify] { return context }
        var err = [CChar](repeating: 0, count: 512)
        guard let context = ctls_context_new(caFile, verify ? 1 : 0, &err, err.count) else {
            throw TransportFailure(kind: .tls, message: "TLS setup: \(String(cString: err))")
        }
        contexts[verify] = context
        return context
    }

    private func key(_ url: HTTPURL) -> String { "\(url.secure ? "s" : "p")|\(url.host)|\(url.port)" }

    /// A pooled connection or a new one. An https URL whose host may speak plain HTTP
    /// (loopback, insecure) and whose mode is not known yet gets a plain connection with
    /// `probing` set: its first response tells whether the host wants TLS instead.
    private func connection(for url: HTTPURL) throws -> (connection: HTTPConnection, reused: Bool, probing: Bool) {
        let poolKey = key(url)
        lock.lock()
        if let connection = idle[poolKey]?.popLast() {
            lock.unlock()
            return (connection, true, false)
        }
        let known = modes[poolKey]
        lock.unlock()
        if !url.secure { return (try dial(.plain, url), false, false) }
        if let known { return (try dial(known, url), false, false) }
        if plainAllowed(url.host, url.port) { return (try dial(.plain, url), false, true) }
        return (try dial(.tls(verify: !skipVerify(url.host, url.port)), url), false, false)
    }

    private func dial(_ mode: Mode, _ url: HTTPURL) throws -> HTTPConnection {
        switch mode {
        case .plain:
            return try HTTPConnection(context: nil, host: url.host, port: url.port, timeoutMilliseconds: timeoutMilliseconds)
        case .tls(let verify):
            return try HTTPConnection(context: try context(verify: verify), host: url.host, port: url.port,
                                      timeoutMilliseconds: timeoutMilliseconds)
        }
    }

    private func remember(_ mode: Mode, for url: HTTPURL) {
        lock.lock()
        modes[key(url)] = mode
        lock.unlock()
    }

    private func release(_ connection: HTTPConnection, for url: HTTPURL) {
        lock.lock()
        idle[key(url), default: []].append(connection)
        lock.unlock()
    }

    /// Sends a request, following redirects (Authorization is dropped when the host
    /// changes). A 2xx body goes to `sink` when one is given; any other body is read into
    /// `response.body`, up to `limit` bytes.
    func send(_ url: HTTPURL, method: String = "GET", headers: [(String, String)] = [], limit: Int = 8 << 20,
              sink: ((UnsafeRawBufferPointer) throws -> Void)? = nil) throws -> HTTPResponse {
        var url = url
        var headers = headers
        for _ in 0..<10 {
            let response = try exchange(method, url, headers: headers, limit: limit, sink: sink)
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.header("Location"),
                  let next = HTTPURL(location, relativeTo: url) else {
                return response
            }
            if next.host != url.host || next.port != url.port || next.secure != url.secure {
                headers.removeAll { $0.0.caseInsensitiveCompare("Authorization") == .orderedSame }
            }
            url = next
        }
        throw TransportFailure(kind: .io, message: "\(url): too many redirects")
    }

    private func exchange(_ method: String, _ url: HTTPURL, headers: [(String, String)], limit: Int,
                          sink: ((UnsafeRawBufferPointer) throws -> Void)?) throws -> HTTPResponse {
        var request = "\(method) \(url.target) HTTP/1.1\r\nHost: \(url.authority)\r\nUser-Agent: swiftlet\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        var attempt = 0
        while true {
            attempt += 1
            var (connection, reused, probing) = try connection(for: url)
            var response: HTTPResponse
            do {
                try connection.send(request)
                response = try connection.readHead(url: url)
            } catch let failure as TransportFailure where failure.kind == .io && (probing || (reused && attempt == 1)) {
                // A probe answered with something other than HTTP (a TLS alert, a close):
                // the host speaks TLS. Or the server closed an idle keep-alive connection.
                if probing { remember(.tls(verify: !skipVerify(url.host, url.port)), for: url) }
                continue
            }
            if probing && response.status != 400 {
                remember(.plain, for: url)
                probing = false
            }
            var collected = Data()
            var overflow = false
            let streaming = sink != nil && (200..<300).contains(response.status) && !probing
            let reusable = try connection.readBody(of: response, method: method) { chunk in
                if streaming, let sink {
                    try sink(chunk)
                } else if collected.count + chunk.count <= limit {
                    collected.append(contentsOf: chunk)
                } else {
                    overflow = true
                }
            }
            if probing {
                // Go's TLS servers (docker-registry) answer plain HTTP with this 400.
                if response.status == 400, String(decoding: collected.prefix(512), as: UTF8.self).contains("HTTP request to an HTTPS server") {
                    remember(.tls(verify: !skipVerify(url.host, url.port)), for: url)
                    continue
                }
                remember(.plain, for: url)
            }
            if reusable { release(connection, for: url) }
            if overflow && (200..<300).contains(response.status) {
                throw TransportFailure(kind: .io, message: "\(method) \(url): response larger than \(limit) bytes")
            }
            response.body = collected
            return response
        }
    }
}
