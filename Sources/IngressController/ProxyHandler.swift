import NIOCore
import NIOHTTP1
import NIOPosix

/// One client connection: each request (NIO's pipelining handler hands them over one at a
/// time) is routed, forwarded with the X-Forwarded headers to an endpoint over a kept-alive
/// upstream connection, and its response streamed back. Runs on the client's event loop;
/// the upstream connection shares it.
final class ProxyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let snapshot: () -> IngressProxy.Snapshot
    private let scheme: String
    /// An HTTP/2 stream: one request, no connection headers (the stream ends with it).
    private let http2: Bool
    private var context: ChannelHandlerContext?
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    /// The request being answered: its upstream head, and whether the client keeps the connection.
    private var inFlight: (head: HTTPRequestHead, target: String, keepAlive: Bool, retried: Bool)?
    private var responseStarted = false
    private var upstream: (channel: Channel, target: String, reused: Bool)?

    init(snapshot: @escaping () -> IngressProxy.Snapshot, scheme: String, http2: Bool = false) {
        self.snapshot = snapshot
        self.scheme = scheme
        self.http2 = http2
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelInactive(context: ChannelHandlerContext) {
        upstream?.channel.close(promise: nil)
        upstream = nil
        self.context = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
        case .body(var part):
            if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end:
            guard let head else { return }
            self.head = nil
            dispatch(head, context: context)
        }
    }

    private func dispatch(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = http2 || head.isKeepAlive
        let host = head.headers.first(name: "host") ?? ""
        switch snapshot().table.route(host: host, target: head.uri) {
        case .notFound:
            respond(.notFound, "default backend - 404\n", keepAlive: keepAlive)
        case .unavailable:
            respond(.serviceUnavailable, "503 Service Temporarily Unavailable\n", keepAlive: keepAlive)
        case .endpoints(let endpoints, _, _):
            let target = endpoints.randomElement()!
            let client = context.channel.remoteAddress?.ipAddress
            let upstreamHead = ForwardedHeaders.upstreamRequest(head, client: client, scheme: scheme, bodyLength: body?.readableBytes)
            inFlight = (upstreamHead, target, keepAlive, false)
            responseStarted = false
            send()
        }
    }

    /// Writes the in-flight request upstream, reusing the connection to the same endpoint.
    private func send() {
        guard let request = inFlight, let context else { return }
        if let upstream, upstream.target == request.target, upstream.channel.isActive {
            self.upstream?.reused = true
            write(request.head, to: upstream.channel)
            return
        }
        upstream?.channel.close(promise: nil)
        upstream = nil
        guard let address = Self.split(request.target) else {
            respond(.badGateway, "502 Bad Gateway\n", keepAlive: request.keepAlive)
            return
        }
        let connect = ClientBootstrap(group: context.eventLoop)
            .connectTimeout(.seconds(5))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [weak self] channel in
                do {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler(proxy: self))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: address.0, port: address.1)
        connect.whenComplete { [weak self] result in
            guard let self, self.context != nil else {
                if case .success(let channel) = result { channel.close(promise: nil) }
                return
            }
            switch result {
            case .success(let channel):
                self.upstream = (channel, request.target, false)
                self.write(request.head, to: channel)
            case .failure:
                self.inFlight = nil
                self.respond(.badGateway, "502 Bad Gateway\n", keepAlive: request.keepAlive)
            }
        }
    }

    private func write(_ head: HTTPRequestHead, to channel: Channel) {
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body, body.readableBytes > 0 { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    // MARK: From upstream

    func upstreamRead(_ part: HTTPClientResponsePart, from channel: Channel) {
        guard let context, let request = inFlight, channel === upstream?.channel else { return }
        switch part {
        case .head(let head):
            responseStarted = true
            if !head.isKeepAlive { upstream?.reused = false }
            upstreamCloses = !head.isKeepAlive
            let response = ForwardedHeaders.downstreamResponse(head, keepAlive: request.keepAlive)
            context.write(wrapOutboundOut(.head(response)), promise: nil)
        case .body(let buffer):
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .end(let trailers):
            inFlight = nil
            body = nil
            if upstreamCloses {
                upstream?.channel.close(promise: nil)
                upstream = nil
            }
            let done = context.writeAndFlush(wrapOutboundOut(.end(trailers)))
            if !request.keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
        }
    }

    private var upstreamCloses = false

    func upstreamClosed(_ channel: Channel) {
        guard let current = upstream, current.channel === channel else { return }
        upstream = nil
        guard let request = inFlight, let context else { return }
        if responseStarted {
            // Cut mid-response: the client cannot be told otherwise.
            context.close(promise: nil)
        } else if current.reused && !request.retried {
            // The endpoint closed an idle kept-alive connection as we reused it: once more, fresh.
            inFlight?.retried = true
            send()
        } else {
            inFlight = nil
            respond(.badGateway, "502 Bad Gateway\n", keepAlive: request.keepAlive)
        }
    }

    // MARK: Local answers

    private func respond(_ status: HTTPResponseStatus, _ text: String, keepAlive: Bool) {
        guard let context else { return }
        body = nil
        var headers = HTTPHeaders([("content-type", "text/plain; charset=utf-8"), ("content-length", String(text.utf8.count))])
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
    }

    static func split(_ target: String) -> (String, Int)? {
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else { return nil }
        return (String(target[..<colon]), port)
    }
}

/// The upstream connection's end: hands each response part to the client's handler.
final class UpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    private weak var proxy: ProxyHandler?

    init(proxy: ProxyHandler?) { self.proxy = proxy }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        proxy?.upstreamRead(unwrapInboundIn(data), from: context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        proxy?.upstreamClosed(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
