import Foundation

/// One HTTP request as the API handlers see it: method, path split into segments, decoded
/// query parameters, headers (names lower-cased) and the whole body.
public struct APIRequest: Sendable {
    public var method: String
    public var path: String
    public var segments: [String]
    public var query: [String: String]
    /// Every query parameter in order, repeats kept (`command=sh&command=-c`).
    public var queryPairs: [(String, String)]
    public var headers: [String: String]
    public var body: Data

    public init(method: String, uri: String, headers: [String: String], body: Data) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts.first ?? "")
        segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        var pairs: [(String, String)] = []
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                pairs.append((Self.unescape(String(kv[0])), kv.count > 1 ? Self.unescape(String(kv[1])) : ""))
            }
        }
        queryPairs = pairs
        query = Dictionary(pairs, uniquingKeysWith: { _, last in last })
        self.headers = headers
        self.body = body
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text
    }

    /// Every value of a repeated query parameter, in order.
    public func queryList(_ name: String) -> [String] {
        queryPairs.filter { $0.0 == name }.map(\.1)
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Whether the client asked for a `meta.k8s.io` Table (kubectl get does).
    public var wantsTable: Bool {
        (header("accept") ?? "").split(separator: ",").first.map { $0.contains("as=Table") } ?? false
    }

    /// A query flag (`watch=true`, `watch=1`).
    public func flag(_ name: String) -> Bool {
        guard let value = query[name] else { return false }
        return value == "true" || value == "1" || value.isEmpty
    }
}

/// A complete response: status code, headers, body.
public struct APIResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Data

    public init(status: Int, headers: [(String, String)] = [], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON body.
    public static func json(_ value: Data, status: Int = 200) -> APIResponse {
        APIResponse(status: status, headers: [("Content-Type", "application/json")], body: value)
    }
}
