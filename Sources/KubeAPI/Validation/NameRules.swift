import Foundation

/// Upstream's name and value syntax rules (k8s.io/apimachinery/pkg/util/validation) with
/// their exact messages.
enum NameRules {
    static let dns1123LabelMax = 63
    static let dns1123SubdomainMax = 253

    private static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
    private static func isAlnum(_ c: UInt8) -> Bool { isLowerAlnum(c) || (c >= 65 && c <= 90) }

    static func isDNS1123Label(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard let first = b.first, let last = b.last, isLowerAlnum(first), isLowerAlnum(last) else { return false }
        return b.allSatisfy { isLowerAlnum($0) || $0 == 45 }
    }

    static func isDNS1035Label(_ s: String) -> Bool {
        guard let first = s.utf8.first, first >= 97, first <= 122 else { return false }
        return isDNS1123Label(s)
    }

    static func isDNS1123Subdomain(_ s: String) -> Bool {
        !s.isEmpty && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNS1123Label(String($0)) }
    }

    /// Messages for a DNS-1123 label (names of namespaces, containers, volumes, ports…).
    static func dns1123LabelErrors(_ s: String) -> [String] {
        var out: [String] = []
        if s.utf8.count > dns1123LabelMax { out.append("must be no more than 63 characters") }
        if !isDNS1123Label(s) {
            out.append("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
        }
        return out
    }

    /// Messages for a DNS-1123 subdomain (names of most objects).
    static func dns1123SubdomainErrors(_ s: String) -> [String] {
        var out: [String] = []
        if s.utf8.count > dns1123SubdomainMax { out.append("must be no more than 253 characters") }
        if !isDNS1123Subdomain(s) {
            out.append("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
        }
        return out
    }

    /// Messages for a DNS-1035 label (Service names).
    static func dns1035LabelErrors(_ s: String) -> [String] {
        var out: [String] = []
        if s.utf8.count > dns1123LabelMax { out.append("must be no more than 63 characters") }
        if !isDNS1035Label(s) {
            out.append("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
        }
        return out
    }

    private static func isQualifiedNamePart(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard let first = b.first, let last = b.last, isAlnum(first), isAlnum(last) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    /// Messages for a qualified name (`prefix/name`), the syntax of label and annotation keys.
    static func qualifiedNameErrors(_ s: String) -> [String] {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var name = s
        var out: [String] = []
        if parts.count == 2 {
            name = parts[1]
            if parts[0].isEmpty {
                out.append("prefix part must be non-empty")
            } else {
                out += dns1123SubdomainErrors(parts[0]).map { "prefix part " + $0 }
            }
        } else if parts.count > 2 {
            return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            out.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            out.append("name part must be no more than 63 characters")
        }
        if !name.isEmpty && !isQualifiedNamePart(name) {
            out.append("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
        }
        return out
    }

    /// Messages for a label value (may be empty).
    static func labelValueErrors(_ s: String) -> [String] {
        if s.isEmpty { return [] }
        var out: [String] = []
        if s.utf8.count > 63 { out.append("must be no more than 63 characters") }
        if !isQualifiedNamePart(s) {
            out.append("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
        }
        return out
    }

    /// Messages for an IANA service name (named container ports).
    static func portNameErrors(_ s: String) -> [String] {
        var out: [String] = []
        if s.utf8.count > 15 { out.append("must be no more than 15 characters") }
        let b = Array(s.utf8)
        if !b.allSatisfy({ isLowerAlnum($0) || $0 == 45 }) {
            out.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if s.contains("--") { out.append("must not contain consecutive hyphens") }
        if !b.contains(where: { $0 >= 97 && $0 <= 122 }) { out.append("must contain at least one letter (a-z)") }
        if b.first == 45 || b.last == 45 { out.append("must not begin or end with a hyphen") }
        return out
    }

    /// Messages for an environment variable name.
    static func envVarNameErrors(_ s: String) -> [String] {
        let b = Array(s.utf8)
        let valid = !b.isEmpty && !(b[0] >= 48 && b[0] <= 57)
            && b.allSatisfy { isAlnum($0) || $0 == 45 || $0 == 46 || $0 == 95 }
        return valid ? [] : ["a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"]
    }

    /// Messages for a ConfigMap or Secret key.
    static func configKeyErrors(_ s: String) -> [String] {
        var out: [String] = []
        if s.utf8.count > dns1123SubdomainMax { out.append("must be no more than 253 characters") }
        let b = Array(s.utf8)
        if b.isEmpty || !b.allSatisfy({ isAlnum($0) || $0 == 45 || $0 == 46 || $0 == 95 }) {
            out.append("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
        }
        if s == "." { out.append("must not be '.'") }
        if s == ".." { out.append("must not be '..'") }
        if s.hasPrefix("..") && s != ".." { out.append("must not start with '..'") }
        return out
    }

    /// Whether a string is a dotted-quad IPv4 or an IPv6 address.
    static func isIP(_ s: String) -> Bool { isIPv4(s) || isIPv6(s) }

    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                && Int(part)! <= 255 && !(part.count > 1 && part.first == "0")
        }
    }

    static func isIPv6(_ s: String) -> Bool {
        guard s.contains(":"), s.utf8.count <= 45 else { return false }
        var text = Substring(s)
        var groupsNeeded = 8
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard isIPv4(String(text[text.index(after: lastColon)...])) else { return false }
            text = text[...lastColon] + "0"
            groupsNeeded = 7
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ h: String) -> [Substring]? {
            if h.isEmpty { return [] }
            let g = h.split(separator: ":", omittingEmptySubsequences: false)
            return g.allSatisfy { !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isHexDigit) } ? g : nil
        }
        guard let first = groups(halves[0]) else { return false }
        if halves.count == 2 {
            guard let second = groups(halves[1]) else { return false }
            return first.count + second.count < groupsNeeded
        }
        return first.count == groupsNeeded
    }
}
