/// An Ingress rule's host: exact (`foo.example.com`) or a wildcard of one leading label
/// (`*.example.com` matches `bar.example.com`, not `example.com` nor `a.b.example.com`),
/// compared without case, as upstream's Ingress spec defines it.
public enum HostPattern {
    public static func matches(_ pattern: String, _ host: String) -> Bool {
        let pattern = pattern.lowercased()
        let host = host.lowercased()
        if pattern.hasPrefix("*.") {
            let suffix = pattern.dropFirst(1) // ".example.com"
            guard host.hasSuffix(suffix) else { return false }
            let label = host.dropLast(suffix.count)
            return !label.isEmpty && !label.contains(".")
        }
        return pattern == host
    }

    /// A DNS-1123 subdomain, or `*.` and one.
    public static func isValid(_ host: String) -> Bool {
        let name = host.hasPrefix("*.") ? String(host.dropFirst(2)) : host
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// The host of a Host header: without the port, lower case.
    public static func hostOnly(_ header: String) -> String {
        var text = Substring(header)
        if text.hasPrefix("[") { // IPv6 literal
            if let end = text.firstIndex(of: "]") { text = text[...end] }
        } else if let colon = text.lastIndex(of: ":") {
            text = text[..<colon]
        }
        return text.lowercased()
    }
}
