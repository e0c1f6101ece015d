import NIOHTTP1

/// The headers a request and its response carry through the proxy: hop-by-hop headers
/// (RFC 9110 §7.6.1, and those `Connection` names) stay on their hop; the request gains
/// X-Forwarded-For/-Proto/-Host/-Port and X-Real-IP as ingress-nginx sets them.
enum ForwardedHeaders {
    static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]

    static func stripHopByHop(_ headers: inout HTTPHeaders) {
        let named = headers[canonicalForm: "connection"].map { $0.lowercased() }
        for name in hopByHop.union(named) { headers.remove(name: name) }
    }

    static func upstreamRequest(_ head: HTTPRequestHead, client: String?, scheme: String, bodyLength: Int?) -> HTTPRequestHead {
        var headers = head.headers
        let hadBody = headers.contains(name: "content-length") || headers.contains(name: "transfer-encoding")
        stripHopByHop(&headers)
        headers.remove(name: "content-length")
        if hadBody || (bodyLength ?? 0) > 0 { headers.add(name: "content-length", value: String(bodyLength ?? 0)) }
        let host = headers.first(name: "host") ?? ""
        if let client {
            let prior = headers[canonicalForm: "x-forwarded-for"].joined(separator: ", ")
            headers.replaceOrAdd(name: "x-forwarded-for", value: prior.isEmpty ? client : prior + ", " + client)
            headers.replaceOrAdd(name: "x-real-ip", value: client)
        }
        headers.replaceOrAdd(name: "x-forwarded-proto", value: scheme)
        headers.replaceOrAdd(name: "x-forwarded-host", value: HostPattern.hostOnly(host))
        let port = host.split(separator: ":").count == 2 ? String(host.split(separator: ":")[1]) : (scheme == "https" ? "443" : "80")
        headers.replaceOrAdd(name: "x-forwarded-port", value: port)
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri, headers: headers)
    }

    static func downstreamResponse(_ head: HTTPResponseHead, keepAlive: Bool) -> HTTPResponseHead {
        var headers = head.headers
        stripHopByHop(&headers)
        if !keepAlive { headers.add(name: "connection", value: "close") }
        return HTTPResponseHead(version: .http1_1, status: head.status, headers: headers)
    }
}
