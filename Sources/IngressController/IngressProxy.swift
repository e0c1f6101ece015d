import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// The Ingress controller's data plane: an HTTP listener and an HTTPS listener (TLS
/// terminated with the certificate of the client hello's SNI name) on every address of the
/// node (HTTPS speaks HTTP/2 to clients that offer it by ALPN, HTTP/1.1 to the rest),
/// proxying each request to a ready endpoint of the backend its Ingress rule names.
/// `update` swaps the routes and certificates in place: open connections keep going and
/// the next request sees the change.
public final class IngressProxy: @unchecked Sendable {
    /// The routes and certificates every request reads.
    final class Snapshot: Sendable {
        let table: RoutingTable
        let certificates: [String: ParsedPair]
        let patterns: TLSCertificates
        init(table: RoutingTable, patterns: TLSCertificates, certificates: [String: ParsedPair]) {
            self.table = table
            self.patterns = patterns
            self.certificates = certificates
        }
    }

    struct ParsedPair: Sendable {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
    }

    private let group: MultiThreadedEventLoopGroup
    private var channels: [Channel] = []
    private let current = NIOLockedValueBox(Snapshot(table: RoutingTable(), patterns: TLSCertificates(), certificates: [:]))
    private let logger: Logger

    public init(logger: Logger, threads: Int = 2) {
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    }

    var snapshot: Snapshot { current.withLockedValue { $0 } }

    /// Listens for HTTP on `httpPort` and HTTPS on `httpsPort` (0: not at all) on `host`;
    /// the default certificate answers TLS clients whose SNI name no Ingress has.
    public func start(host: String = "0.0.0.0", httpPort: Int, httpsPort: Int, defaultCertificatePEM: String, defaultKeyPEM: String) throws {
        if httpPort > 0 {
            channels.append(try bootstrap(tls: nil, scheme: "http").bind(host: host, port: httpPort).wait())
            logger.info("Ingress controller: HTTP on \(host):\(httpPort)")
        }
        if httpsPort > 0 {
            let certificate = try NIOSSLCertificate.fromPEMBytes(Array(defaultCertificatePEM.utf8))
            let key = try NIOSSLPrivateKey(bytes: Array(defaultKeyPEM.utf8), format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: certificate.map { .certificate($0) }, privateKey: .privateKey(key))
            tls.applicationProtocols = ["h2", "http/1.1"]
            let box = current
            tls.sslContextCallback = { values, promise in
                let snapshot = box.withLockedValue { $0 }
                var override = NIOSSLContextConfigurationOverride()
                if let pair = snapshot.patterns.certificate(for: values.serverHostname),
                   let parsed = snapshot.certificates[pair.certificatePEM] {
                    override.certificateChain = parsed.chain.map { .certificate($0) }
                    override.privateKey = .privateKey(parsed.key)
                }
                promise.succeed(override)
            }
            let context = try NIOSSLContext(configuration: tls)
            channels.append(try bootstrap(tls: context, scheme: "https").bind(host: host, port: httpsPort).wait())
            logger.info("Ingress controller: HTTPS on \(host):\(httpsPort)")
        }
    }

    /// New routes and certificates; certificates that do not parse are reported and left out.
    public func update(table: RoutingTable, certificates: TLSCertificates) -> [String] {
        var problems: [String] = []
        let old = snapshot.certificates
        var parsed: [String: ParsedPair] = [:]
        for pair in Set(certificates.byHost.values) {
            if let known = old[pair.certificatePEM] {
                parsed[pair.certificatePEM] = known
                continue
            }
            do {
                parsed[pair.certificatePEM] = ParsedPair(
                    chain: try NIOSSLCertificate.fromPEMBytes(Array(pair.certificatePEM.utf8)),
                    key: try NIOSSLPrivateKey(bytes: Array(pair.keyPEM.utf8), format: .pem))
            } catch {
                let hosts = certificates.byHost.filter { $0.value == pair }.keys.sorted().joined(separator: ",")
                problems.append("TLS certificate for \(hosts): \(error)")
            }
        }
        let next = Snapshot(table: table, patterns: certificates, certificates: parsed)
        current.withLockedValue { $0 = next }
        return problems
    }

    private func bootstrap(tls: NIOSSLContext?, scheme: String) -> ServerBootstrap {
        let box = current
        return ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let snapshot: @Sendable () -> Snapshot = { box.withLockedValue { $0 } }
                @Sendable func http1(_ channel: Channel) -> EventLoopFuture<Void> {
                    do {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(ProxyHandler(snapshot: snapshot, scheme: scheme))
                        return channel.eventLoop.makeSucceededVoidFuture()
                    } catch {
                        return channel.eventLoop.makeFailedFuture(error)
                    }
                }
                guard let tls else { return http1(channel) }
                do {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
                // ALPN: each HTTP/2 stream is a request, in HTTP/1 parts for the same handler.
                return channel.configureHTTP2SecureUpgrade(
                    h2ChannelConfigurator: { channel in
                        channel.configureHTTP2Pipeline(mode: .server) { stream in
                            do {
                                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                                try stream.pipeline.syncOperations.addHandler(ProxyHandler(snapshot: snapshot, scheme: scheme, http2: true))
                                return stream.eventLoop.makeSucceededVoidFuture()
                            } catch {
                                return stream.eventLoop.makeFailedFuture(error)
                            }
                        }.map { _ in }
                    },
                    http1ChannelConfigurator: http1)
            }
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
    }

    public func stop() {
        for channel in channels { try? channel.close().wait() }
        channels = []
        try? group.syncShutdownGracefully()
    }
}
