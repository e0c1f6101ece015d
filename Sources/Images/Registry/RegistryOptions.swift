import Foundation

/// How the registry client reaches registries: which may use plain HTTP or unverified TLS,
/// extra CAs to trust, and the logins it may present.
public struct RegistryOptions: Sendable {
    /// `HOST[:PORT]` entries (`--insecure-registry`): plain HTTP when the host does not
    /// speak TLS, and no certificate verification when it does. Without a port, any port.
    public var insecureRegistries: [String]
    /// A PEM bundle trusted in addition to the system CAs.
    public var caFile: String?
    /// The logins: fixed, or those of a config file as it is at each use.
    public var credentials: RegistryCredentials {
        get { credentialsFile?.current ?? fixedCredentials }
        set {
            fixedCredentials = newValue
            credentialsFile = nil
        }
    }
    private var fixedCredentials: RegistryCredentials
    private var credentialsFile: RegistryCredentialsFile?
    /// Bounds connecting and each read or write.
    public var timeout: TimeInterval
    /// Layers fetched (and unpacked as they arrive) at the same time by one pull; 6, as
    /// containers/image (skopeo, podman) does, so a typical image's layers all start at once
    /// instead of the last ones waiting for a whole earlier layer.
    public var maxConcurrentDownloads: Int

    public init(insecureRegistries: [String] = [], caFile: String? = nil, credentials: RegistryCredentials = RegistryCredentials(),
                timeout: TimeInterval = 60, maxConcurrentDownloads: Int = 6) {
        self.insecureRegistries = insecureRegistries
        self.caFile = caFile
        self.fixedCredentials = credentials
        self.timeout = timeout
        self.maxConcurrentDownloads = maxConcurrentDownloads
    }

    /// Options whose logins are those `credentialsFile` holds at each use.
    public init(insecureRegistries: [String] = [], caFile: String? = nil, credentialsFile: RegistryCredentialsFile) {
        self.init(insecureRegistries: insecureRegistries, caFile: caFile)
        self.credentialsFile = credentialsFile
    }

    /// Whether `--insecure-registry` names this host (and port).
    public func isInsecure(host: String, port: Int) -> Bool {
        insecureRegistries.contains { entry in
            let (entryHost, entryPort) = RegistryOptions.split(entry)
            return entryHost.lowercased() == host.lowercased() && (entryPort == nil || entryPort == port)
        }
    }

    /// localhost and 127.0.0.0/8 (and ::1), reached over plain HTTP when they do not speak TLS.
    public static func isLoopback(host: String) -> Bool {
        let name = host.lowercased()
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// `host:port` / `[v6]:port` / `host` → (host, port).
    static func split(_ authority: String) -> (String, Int?) {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]
            return (host, rest.hasPrefix(":") ? Int(rest.dropFirst()) : nil)
        }
        if let colon = authority.lastIndex(of: ":"), authority.firstIndex(of: ":") == colon {
            return (String(authority[..<colon]), Int(authority[authority.index(after: colon)...]))
        }
        return (authority, nil)
    }
}
