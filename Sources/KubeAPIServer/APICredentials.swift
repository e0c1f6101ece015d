import Crypto
import Foundation
import SwiftASN1
import X509

/// The API server's trust material under `<root>/pki`, made at first start and kept: a CA,
/// a serving certificate it signs (for `localhost`, `kubernetes.default.svc` and the
/// addresses the server listens on), and the admin's bearer token. `admin.kubeconfig`
/// beside them names all three, so `kubectl --kubeconfig` needs nothing else.
public struct APICredentials: Sendable {
    public var caPEM: String
    public var serverCertificatePEM: String
    public var serverKeyPEM: String
    public var adminToken: String

    /// `<root>/pki`.
    public static func directory(root: String) -> String { root + "/pki" }

    /// `<root>/admin.kubeconfig`.
    public static func kubeconfigPath(root: String) -> String { root + "/admin.kubeconfig" }

    /// Loads the credentials under `root`, making any that are missing. A serving
    /// certificate that does not cover `addresses` is made again (the CA and token stay).
    public static func loadOrCreate(root: String, addresses: [String], now: Date = Date()) throws -> APICredentials {
        let dir = directory(root: root)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        func read(_ name: String) -> String? { try? String(contentsOfFile: dir + "/" + name, encoding: .utf8) }
        func write(_ text: String, _ name: String) throws {
            let path = dir + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            chmod(path, 0o600)
        }
        let caKey: P256.Signing.PrivateKey
        let caCertificate: Certificate
        if let keyPEM = read("ca.key"), let certPEM = read("ca.crt"),
           let key = try? P256.Signing.PrivateKey(pemRepresentation: keyPEM), let cert = try? Certificate(pemEncoded: certPEM) {
            caKey = key
            caCertificate = cert
        } else {
            caKey = P256.Signing.PrivateKey()
            caCertificate = try makeCA(key: caKey, now: now)
            try write(caKey.pemRepresentation, "ca.key")
            try write(try caCertificate.serializeAsPEM().pemString, "ca.crt")
        }
        let names = Self.serverNames(addresses)
        var serverCertPEM = read("server.crt")
        var serverKeyPEM = read("server.key")
        if let pem = serverCertPEM, let cert = try? Certificate(pemEncoded: pem), covers(cert, names), cert.notValidAfter > now,
           cert.issuer == caCertificate.subject {
        } else {
            let key = P256.Signing.PrivateKey()
            let cert = try makeServing(key: key, names: names, caKey: caKey, ca: caCertificate, now: now)
            serverCertPEM = try cert.serializeAsPEM().pemString
            serverKeyPEM = key.pemRepresentation
            try write(serverCertPEM!, "server.crt")
            try write(serverKeyPEM!, "server.key")
        }
        var token = read("admin.token")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if token.isEmpty {
            token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            try write(token + "\n", "admin.token")
        }
        return APICredentials(
            caPEM: try caCertificate.serializeAsPEM().pemString, serverCertificatePEM: serverCertPEM ?? "",
            serverKeyPEM: serverKeyPEM ?? "", adminToken: token)
    }

    /// The admin kubeconfig for a server at `https://host:port`.
    public func kubeconfig(server: String) -> String {
        let ca = Data(caPEM.utf8).base64EncodedString()
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: swiftlet
              cluster:
                server: \(server)
                certificate-authority-data: \(ca)
            users:
            - name: admin
              user:
                token: \(adminToken)
            contexts:
            - name: swiftlet
              context:
                cluster: swiftlet
                user: admin
                namespace: default
            current-context: swiftlet

            """
    }

    /// Whether an `Authorization` header value carries the admin's token (compared in
    /// constant time).
    public func authorizes(_ header: String?) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.dropFirst(7).utf8)
        let expected = Array(adminToken.utf8)
        guard given.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(given, expected) { difference |= a ^ b }
        return difference == 0
    }

    static func serverNames(_ addresses: [String]) -> [GeneralName] {
        var names: [GeneralName] = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                                    "kubernetes.default.svc.cluster.local"].map { .dnsName($0) }
        var ips = Set(["127.0.0.1"])
        for address in addresses where !address.isEmpty { ips.insert(address) }
        for ip in ips.sorted() {
            let octets = ip.split(separator: ".").compactMap { UInt8($0) }
            if octets.count == 4 { names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(octets)))) }
        }
        return names
    }

    private static func covers(_ cert: Certificate, _ names: [GeneralName]) -> Bool {
        guard let san = try? cert.extensions.subjectAlternativeNames else { return false }
        return names.allSatisfy { san.contains($0) }
    }

    private static func makeCA(key: P256.Signing.PrivateKey, now: Date) throws -> Certificate {
        let name = try DistinguishedName { CommonName("swiftlet-ca") }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key))
    }

    private static func makeServing(
        key: P256.Signing.PrivateKey, names: [GeneralName], caKey: P256.Signing.PrivateKey, ca: Certificate, now: Date
    ) throws -> Certificate {
        let subject = try DistinguishedName { CommonName("kube-apiserver") }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86400),
            issuer: ca.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(caKey))
    }
}
