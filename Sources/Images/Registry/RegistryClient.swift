import Foundation
import Logging

/// An OCI distribution-spec client for pulls: manifests and blobs over HTTPS (plain HTTP
/// for loopback and insecure registries), answering `WWW-Authenticate` challenges with a
/// bearer token from the realm they name or with Basic auth from a docker config.json.
public final class RegistryClient: @unchecked Sendable {
    public let options: RegistryOptions
    let logger: Logger
    private let http: HTTPClient
    private let lock = NSLock()
    /// Authorization header values by "domain|scope".
    private var authorizations: [String: String] = [:]

    /// The manifest types a pull accepts, in the Accept header.
    public static let manifestTypes = [MediaType.ociIndex, MediaType.dockerManifestList, MediaType.ociManifest, MediaType.dockerManifest]

    public init(options: RegistryOptions = RegistryOptions(), logger: Logger = Logger(label: "swiftlet.registry")) {
        self.options = options
        self.logger = logger
        let insecure = options
        http = HTTPClient(
            caFile: options.caFile, timeout: options.timeout,
            plainAllowed: { host, port in RegistryOptions.isLoopback(host: host) || insecure.isInsecure(host: host, port: port) },
            skipVerify: { host, port in insecure.isInsecure(host: host, port: port) })
    }

    /// A manifest or index as the registry serves it.
    public struct FetchedManifest: Sendable {
        public var data: Data
        public var mediaType: String
        public var digest: Digest
    }

    // MARK: endpoints

    /// The API endpoint of a registry domain (Docker Hub's API lives on registry-1.docker.io).
    func url(_ domain: String, _ target: String) -> HTTPURL {
        let (host, port) = RegistryOptions.split(domain == ImageReference.defaultDomain ? "registry-1.docker.io" : domain)
        return HTTPURL(secure: true, host: host, port: port, target: target)
    }

    /// Fetches `reference` (a tag or a digest) of `repository`, checking its digest against
    /// the one asked for, or the one the registry announces.
    public func manifest(_ repository: ImageReference, reference: String) throws -> FetchedManifest {
        let what = "manifest \(repository.name)\(reference.hasPrefix("sha256:") ? "@" : ":")\(reference)"
        let response = try request(repository, url(repository.domain, "/v2/\(repository.path)/manifests/\(reference)"), what: what,
                                   headers: [("Accept", RegistryClient.manifestTypes.joined(separator: ", "))])
        guard response.status == 200 else { throw responseError(what, response) }
        let data = response.body
        let digest = Digest.sha256(data)
        if let asked = try? Digest(reference), asked != digest {
            throw ImageError.digestMismatch(expected: asked.description, actual: digest.description)
        }
        if let announced = response.header("Docker-Content-Digest"), let expected = try? Digest(announced), expected != digest {
            throw ImageError.digestMismatch(expected: expected.description, actual: digest.description)
        }
        var mediaType = response.header("Content-Type")?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let embedded = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? nil
        if !RegistryClient.manifestTypes.contains(mediaType), let declared = embedded?["mediaType"] as? String {
            mediaType = declared
        }
        if !RegistryClient.manifestTypes.contains(mediaType), embedded?["manifests"] != nil {
            mediaType = MediaType.ociIndex
        } else if !RegistryClient.manifestTypes.contains(mediaType), embedded?["layers"] != nil {
            mediaType = MediaType.ociManifest
        }
        guard RegistryClient.manifestTypes.contains(mediaType) else {
            let schema = (embedded?["schemaVersion"] as? Int).map { " (schemaVersion \($0))" } ?? ""
            throw RegistryError.unsupported(what: what, reason: "media type \"\(mediaType)\"\(schema) is not an OCI or Docker schema2 manifest or index")
        }
        return FetchedManifest(data: data, mediaType: mediaType, digest: digest)
    }

    /// Streams a blob into `writer` (which verifies it on commit); `progress` gets the bytes
    /// received so far.
    public func blob(_ repository: ImageReference, _ descriptor: ContentDescriptor, into writer: BlobWriter,
                     progress: (Int64) -> Void = { _ in }) throws {
        let what = "blob \(descriptor.digest) of \(repository.name)"
        var received: Int64 = 0
        let response = try withoutActuallyEscaping(progress) { progress in
            try request(repository, url(repository.domain, "/v2/\(repository.path)/blobs/\(descriptor.digest)"), what: what) { chunk in
                try writer.write(chunk)
                received += Int64(chunk.count)
                progress(received)
            }
        }
        guard response.status == 200 else { throw responseError(what, response) }
    }

    // MARK: auth

    /// Sends a GET with the authorization held for the repository's pull scope, answering
    /// one 401 challenge and retrying.
    private func request(_ repository: ImageReference, _ url: HTTPURL, what: String, headers: [(String, String)] = [],
                         sink: ((UnsafeRawBufferPointer) throws -> Void)? = nil) throws -> HTTPResponse {
        let scope = "repository:\(repository.path):pull"
        let key = "\(repository.domain)|\(scope)"
        lock.lock()
        let held = authorizations[key]
        lock.unlock()
        var first = headers
        if let held { first.append(("Authorization", held)) }
        let response = try transport(repository.domain) { try http.send(url, headers: first, sink: sink) }
        guard response.status == 401 else { return response }
        let authorization = try answer(response, domain: repository.domain, scope: scope, after: held)
        lock.lock()
        authorizations[key] = authorization
        lock.unlock()
        let retried = try transport(repository.domain) {
            try http.send(url, headers: headers + [("Authorization", authorization)], sink: sink)
        }
        if retried.status == 401 {
            let login = options.credentials.login(for: repository.domain)
            let reason = login.map { "the registry refused the credentials for \"\($0.username)\"\(from)" } ?? "authentication required and no credentials for \(repository.domain)\(from)"
            throw RegistryError.unauthorized(registry: repository.domain, reason: reason, errors: RegistryClient.errors(in: retried))
        }
        return retried
    }

    private var from: String { options.credentials.source.map { " in \($0)" } ?? "" }

    /// The Authorization value answering a 401's challenge.
    private func answer(_ response: HTTPResponse, domain: String, scope: String, after held: String?) throws -> String {
        let challenges = response.headers(named: "WWW-Authenticate").flatMap(AuthChallenge.parse)
        let login = options.credentials.login(for: domain)
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }), let realm = bearer.parameters["realm"] {
            return "Bearer " + (try token(realm: realm, service: bearer.parameters["service"],
                                          scope: bearer.parameters["scope"] ?? scope, domain: domain, login: login))
        }
        if challenges.contains(where: { $0.scheme == "basic" }) {
            guard let login else {
                throw RegistryError.unauthorized(registry: domain, reason: "authentication required and no credentials for \(domain)\(from)",
                                                 errors: RegistryClient.errors(in: response))
            }
            let basic = "Basic " + Data("\(login.username):\(login.password)".utf8).base64EncodedString()
            if held == basic {
                throw RegistryError.unauthorized(registry: domain, reason: "the registry refused the credentials for \"\(login.username)\"\(from)",
                                                 errors: RegistryClient.errors(in: response))
            }
            return basic
        }
        throw RegistryError.unauthorized(registry: domain, reason: "HTTP 401 without a Bearer or Basic challenge",
                                         errors: RegistryClient.errors(in: response))
    }

    /// Fetches a bearer token from the challenge's realm (with Basic credentials when we have them).
    private func token(realm: String, service: String?, scope: String, domain: String, login: RegistryCredentials.Login?) throws -> String {
        guard var url = HTTPURL(realm) else {
            throw RegistryError.unauthorized(registry: domain, reason: "token realm \"\(realm)\" is not an http(s) URL", errors: [])
        }
        var query: [String] = []
        let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+?"))
        func encode(_ value: String) -> String { value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value }
        if let service { query.append("service=" + encode(service)) }
        for item in scope.split(separator: " ") { query.append("scope=" + encode(String(item))) }
        if !query.isEmpty { url.target += (url.target.contains("?") ? "&" : "?") + query.joined(separator: "&") }
        var headers: [(String, String)] = []
        if let login {
            headers.append(("Authorization", "Basic " + Data("\(login.username):\(login.password)".utf8).base64EncodedString()))
        }
        let response = try transport(domain) { try http.send(url, headers: headers, limit: 1 << 20) }
        guard response.status == 200 else {
            if response.status == 401 || response.status == 403 {
                let reason = login.map { "the token service \(url.host) refused the credentials for \"\($0.username)\"\(from)" }
                    ?? "the token service \(url.host) requires credentials and there are none for \(domain)\(from)"
                throw RegistryError.unauthorized(registry: domain, reason: reason, errors: RegistryClient.errors(in: response))
            }
            throw responseError("token from \(url.host)", response)
        }
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let token = (object["token"] as? String) ?? (object["access_token"] as? String), !token.isEmpty else {
            throw RegistryError.invalidConfig(file: "token response from \(url.host)", reason: "no token or access_token field")
        }
        logger.debug("registry token", metadata: ["registry": "\(domain)", "scope": "\(scope)"])
        return token
    }

    // MARK: errors

    private func transport<T>(_ domain: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as TransportFailure {
            throw RegistryError.transport(registry: domain, reason: failure.message)
        }
    }

    private func responseError(_ what: String, _ response: HTTPResponse) -> RegistryError {
        .response(what: what, status: response.status, errors: RegistryClient.errors(in: response))
    }

    /// The distribution spec's error entries as `CODE: message`, else the body's first line.
    static func errors(in response: HTTPResponse) -> [String] {
        if let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
           let entries = object["errors"] as? [[String: Any]] {
            return entries.map { entry in
                let code = entry["code"] as? String
                let message = entry["message"] as? String
                return [code, message].compactMap { $0 }.joined(separator: ": ")
            }
        }
        let text = String(decoding: response.body.prefix(300), as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        return line.isEmpty ? [] : [line]
    }
}
