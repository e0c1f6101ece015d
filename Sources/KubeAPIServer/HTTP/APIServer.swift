import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// The HTTPS listener: TLS (swift-nio-ssl) with the node's serving certificate, HTTP/1.1
/// (kubectl falls back to it when the server offers no h2), WebSocket upgrades for the
/// streaming subresources, and the router behind them.
public final class APIServer: @unchecked Sendable {
    private let group: MultiThreadedEventLoopGroup
    private var channel: Channel?
    private let router: APIRouter
    private let credentials: APICredentials
    private let logger: Logger
    /// Request bodies larger than this are refused with 413 (the apiserver's limit).
    public static let maxBodySize = 3 * 1024 * 1024

    public init(router: APIRouter, credentials: APICredentials, logger: Logger) {
        self.router = router
        self.credentials = credentials
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    }

    /// Listens on `host:port`; returns once bound.
    public func start(host: String, port: Int) throws {
        let certificate = try NIOSSLCertificate(bytes: Array(credentials.serverCertificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(credentials.serverKeyPEM.utf8), format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        tls.applicationProtocols = ["http/1.1"]
        let context = try NIOSSLContext(configuration: tls)
        let router = self.router
        let queue = DispatchQueue(label: "swiftlet.api", attributes: .concurrent)
        let upgrader = router.streams.webSocketUpgrader()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                do {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
                let handler = HTTPRequestHandler(router: router, maxBody: APIServer.maxBodySize, queue: queue)
                return channel.pipeline.configureHTTPServerPipeline(
                    withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                        context.pipeline.removeHandler(handler, promise: nil)
                    })
                ).flatMap { channel.pipeline.addHandler(handler) }
            }
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
        channel = try bootstrap.bind(host: host, port: port).wait()
        logger.info("Kubernetes API on https://\(host):\(port)")
    }

    public func stop() {
        try? channel?.close().wait()
        try? group.syncShutdownGracefully()
    }
}
