import APIStore
import Foundation

/// The serving certificates of `spec.tls`, by host pattern, from `kubernetes.io/tls`
/// Secrets (`data["tls.crt"]`, `data["tls.key"]`, base64 PEM). Pure: which certificate a
/// TLS client hello's SNI name gets.
public struct TLSCertificates: Sendable, Equatable {
    public struct Pair: Sendable, Hashable {
        public var certificatePEM: String
        public var keyPEM: String
        public init(certificatePEM: String, keyPEM: String) {
            self.certificatePEM = certificatePEM
            self.keyPEM = keyPEM
        }
    }

    /// Host pattern (lower case) → certificate; the first Ingress (by name) to claim a host keeps it.
    public private(set) var byHost: [String: Pair] = [:]

    public init() {}

    /// From the handled Ingresses and a lookup of Secrets (namespace, name) → stored JSON.
    /// A missing or malformed Secret is an error naming the Ingress and its field; that
    /// Ingress's other hosts and every other Ingress keep their certificates.
    public init(ingresses: [IngressSpec], secret: (String, String) -> JSONValue?) {
        self = Self.build(ingresses: ingresses, secret: secret).0
    }

    public static func build(ingresses: [IngressSpec], secret: (String, String) -> JSONValue?) -> (TLSCertificates, [IngressError]) {
        var result = TLSCertificates()
        var errors: [IngressError] = []
        for ingress in ingresses.sorted(by: { ($0.namespace, $0.name) < ($1.namespace, $1.name) }) where ingress.isOurs {
            for (index, tls) in ingress.tls.enumerated() {
                let field = "spec.tls[\(index)].secretName"
                guard let object = secret(ingress.namespace, tls.secretName) else {
                    errors.append(IngressError(ingress: ingress.fullName, field: field, reason: "Secret \"\(tls.secretName)\" not found"))
                    continue
                }
                guard let pair = Self.pair(object) else {
                    errors.append(IngressError(ingress: ingress.fullName, field: field,
                                               reason: "Secret \"\(tls.secretName)\" has no base64 PEM tls.crt and tls.key"))
                    continue
                }
                for host in tls.hosts where result.byHost[host.lowercased()] == nil {
                    result.byHost[host.lowercased()] = pair
                }
            }
        }
        return (result, errors)
    }

    static func pair(_ secret: JSONValue) -> Pair? {
        func field(_ key: String) -> String? {
            if let base64 = secret[path: ["data", key]]?.string, let data = Data(base64Encoded: base64),
               let text = String(data: data, encoding: .utf8) { return text }
            return secret[path: ["stringData", key]]?.string
        }
        guard let cert = field("tls.crt"), let key = field("tls.key"),
              cert.contains("-----BEGIN"), key.contains("-----BEGIN") else { return nil }
        return Pair(certificatePEM: cert, keyPEM: key)
    }

    /// The certificate for an SNI name: exact host first, then a `*.` wildcard; nil for
    /// the default certificate.
    public func certificate(for serverName: String?) -> Pair? {
        guard let name = serverName?.lowercased(), !name.isEmpty else { return nil }
        if let exact = byHost[name] { return exact }
        return byHost.filter { $0.key.hasPrefix("*.") && HostPattern.matches($0.key, name) }.sorted { $0.key < $1.key }.first?.value
    }
}
