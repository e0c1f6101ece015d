/// An image reference (`busybox`, `localhost:5000/x:1`, `ghcr.io/org/app@sha256:…`) parsed
/// and normalized as docker's `reference.ParseNormalizedNamed` and containerd's
/// `ParseDockerRef` do: `busybox` names `docker.io/library/busybox:latest`.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    /// The registry host, with its port if any (`docker.io`, `localhost:5000`).
    public let domain: String
    /// The repository path in the registry (`library/busybox`).
    public let path: String
    public let tag: String?
    public let digest: Digest?

    public static let defaultDomain = "docker.io"
    public static let defaultTag = "latest"

    /// Parses a reference as a user writes it; short Docker Hub names get their domain
    /// and `library/`, but no tag is added (see `normalized`).
    public init(parsing string: String) throws {
        func fail(_ reason: String) -> ImageError { .invalidReference(string, reason: reason) }
        guard !string.isEmpty else { throw fail("empty reference") }
        if string.utf8.count == 64, string.utf8.allSatisfy(ImageReference.isLowerHex) {
            throw fail("cannot be a 64-character hexadecimal string (that is an image ID)")
        }
        var rest = Substring(string)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            let digestText = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
            do {
                digest = try Digest(digestText)
            } catch let ImageError.invalidDigest(_, reason) {
                throw fail("digest \"\(digestText)\": \(reason)")
            }
        }
        // Docker's splitDockerDomain: the first component is a registry host only if it
        // has a dot or a port, is "localhost", or holds capitals (then it fails as a host).
        var domain = ImageReference.defaultDomain
        var remainder = rest
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first {
                domain = String(first)
                remainder = rest[rest.index(after: slash)...]
            }
        }
        if domain == "index.docker.io" { domain = ImageReference.defaultDomain }
        var tag: String?
        if let colon = remainder.lastIndex(of: ":") {
            tag = String(remainder[remainder.index(after: colon)...])
            remainder = remainder[..<colon]
        }
        var path = String(remainder)
        if domain == ImageReference.defaultDomain && !path.contains("/") && !path.isEmpty {
            path = "library/" + path
        }

        guard ImageReference.isValidDomain(domain) else { throw fail("invalid registry host \"\(domain)\"") }
        guard !path.isEmpty else { throw fail("repository name is empty") }
        if path.lowercased() != path { throw fail("repository name must be lowercase") }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard ImageReference.isValidPathComponent(component) else {
                throw fail("invalid repository path component \"\(component)\"")
            }
        }
        if domain.utf8.count + 1 + path.utf8.count > 255 {
            throw fail("repository name longer than 255 characters")
        }
        if let tag {
            guard ImageReference.isValidTag(tag) else {
                throw fail("invalid tag \"\(tag)\" (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')")
            }
        }
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    public init(domain: String, path: String, tag: String?, digest: Digest?) {
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    /// `domain/path`, without tag or digest.
    public var name: String { "\(domain)/\(path)" }

    /// The reference as containerd stores it: `:latest` added when neither a tag nor a
    /// digest is given, and the tag dropped when a digest pins the content.
    public var normalized: ImageReference {
        if digest != nil { return ImageReference(domain: domain, path: path, tag: nil, digest: digest) }
        return ImageReference(domain: domain, path: path, tag: tag ?? ImageReference.defaultTag, digest: nil)
    }

    /// The full string: `name[:tag][@digest]`.
    public var description: String {
        var text = name
        if let tag { text += ":" + tag }
        if let digest { text += "@" + digest.description }
        return text
    }

    /// The short form Docker prints (`busybox:latest`, `org/app:1`).
    public var familiar: String {
        var short = name
        if domain == ImageReference.defaultDomain {
            short = path.hasPrefix("library/") && path.split(separator: "/").count == 2
                ? String(path.dropFirst("library/".count)) : path
        }
        if let tag { short += ":" + tag }
        if let digest { short += "@" + digest.description }
        return short
    }

    /// Parses and normalizes in one step: the key the image store uses.
    public static func normalize(_ string: String) throws -> ImageReference {
        try ImageReference(parsing: string).normalized
    }

    // MARK: grammar (github.com/distribution/reference regexp.go)

    static func isLowerHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 102) }
    static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 122) }
    static func isAlnum(_ c: UInt8) -> Bool { isLowerAlnum(c) || (c >= 65 && c <= 90) }

    /// alpha-numeric (separator alpha-numeric)*, separator := [_.] | __ | -+
    static func isValidPathComponent(_ component: Substring) -> Bool {
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last, isLowerAlnum(first), isLowerAlnum(last) else {
            return false
        }
        var i = 0
        while i < bytes.count {
            if isLowerAlnum(bytes[i]) { i += 1; continue }
            var j = i
            while j < bytes.count && !isLowerAlnum(bytes[j]) { j += 1 }
            let separator = bytes[i..<j]
            let ok = separator.elementsEqual([UInt8(ascii: ".")]) || separator.elementsEqual([UInt8(ascii: "_")])
                || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")])
                || separator.allSatisfy { $0 == UInt8(ascii: "-") }
            if !ok { return false }
            i = j
        }
        return true
    }

    /// [\w][\w.-]{0,127}
    static func isValidTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, bytes.count <= 128, isAlnum(first) || first == UInt8(ascii: "_") else {
            return false
        }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// host[:port], host := domain-name | IPv4 | [IPv6]
    static func isValidDomain(_ domain: String) -> Bool {
        var host = Substring(domain)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let inside = host[host.index(after: host.startIndex)..<close]
            guard !inside.isEmpty, inside.utf8.allSatisfy({ isLowerHex($0) || (65...70).contains($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }) else {
                return false
            }
            host = host[host.index(after: close)...]
            if host.isEmpty { return true }
            guard host.hasPrefix(":") else { return false }
            return isValidPort(host.dropFirst())
        }
        if let colon = host.firstIndex(of: ":") {
            guard isValidPort(host[host.index(after: colon)...]) else { return false }
            host = host[..<colon]
        }
        let components = host.split(separator: ".", omittingEmptySubsequences: false)
        return !components.isEmpty && components.allSatisfy { component in
            let bytes = Array(component.utf8)
            guard let first = bytes.first, let last = bytes.last, isAlnum(first), isAlnum(last) else { return false }
            return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") }
        }
    }

    static func isValidPort(_ port: Substring) -> Bool {
        !port.isEmpty && port.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }
}
