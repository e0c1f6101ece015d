import Foundation

/// Registry logins from a docker `config.json` (`auths.<host>.auth`, base64 `user:pass`,
/// or `username`/`password`), used for Basic auth and for token requests.
public struct RegistryCredentials: Sendable, Equatable {
    public struct Login: Sendable, Equatable {
        public var username: String
        public var password: String
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    /// Logins by registry host (`127.0.0.1:5000`, `docker.io`).
    public var logins: [String: Login]
    /// The file they came from, named in auth errors.
    public var source: String?

    public init(logins: [String: Login] = [:], source: String? = nil) {
        self.logins = logins
        self.source = source
    }

    /// `~/.docker/config.json` (or `$DOCKER_CONFIG/config.json`).
    public static var defaultPath: String {
        let environment = ProcessInfo.processInfo.environment
        if let dir = environment["DOCKER_CONFIG"], !dir.isEmpty { return dir + "/config.json" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.docker/config.json"
    }

    /// Reads a config file; a missing file gives no logins unless `required`.
    public static func load(path: String, required: Bool) throws -> RegistryCredentials {
        guard let data = FileManager.default.contents(atPath: path) else {
            if required { throw RegistryError.invalidConfig(file: path, reason: "cannot be read") }
            return RegistryCredentials(source: path)
        }
        return try parse(data, file: path)
    }

    static func parse(_ data: Data, file: String) throws -> RegistryCredentials {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw RegistryError.invalidConfig(file: file, reason: "not a JSON object")
        }
        var logins: [String: Login] = [:]
        guard let auths = root["auths"] else { return RegistryCredentials(source: file) }
        guard let entries = auths as? [String: Any] else {
            throw RegistryError.invalidConfig(file: file, reason: "auths: expected an object")
        }
        for (key, value) in entries {
            guard let entry = value as? [String: Any] else {
                throw RegistryError.invalidConfig(file: file, reason: "auths.\(key): expected an object")
            }
            var login: Login?
            if let auth = entry["auth"] as? String, !auth.isEmpty {
                guard let decoded = Data(base64Encoded: auth), let text = String(data: decoded, encoding: .utf8),
                      let colon = text.firstIndex(of: ":") else {
                    throw RegistryError.invalidConfig(file: file, reason: "auths.\(key).auth: expected base64 of user:password")
                }
                login = Login(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
            } else if let username = entry["username"] as? String, let password = entry["password"] as? String {
                login = Login(username: username, password: password)
            }
            if let login { logins[host(ofKey: key)] = login }
        }
        return RegistryCredentials(logins: logins, source: file)
    }

    /// `https://index.docker.io/v1/` → `docker.io`; `http://h:5000/x` → `h:5000`.
    static func host(ofKey key: String) -> String {
        var host = Substring(key)
        if let scheme = host.range(of: "://") { host = host[scheme.upperBound...] }
        if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
        let name = host.lowercased()
        return ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"].contains(name) ? "docker.io" : name
    }

    /// The login for a registry domain as image references spell it.
    public func login(for domain: String) -> Login? {
        logins[domain.lowercased()]
    }
}
