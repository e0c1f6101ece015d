import Foundation
import NIOCore
import NIOHTTP1

/// What answers a request: the API's router.
public protocol APIRequestHandling: Sendable {
    func handle(_ request: APIRequest, _ sink: ResponseSink)
}

/// Collects one HTTP/1.1 request (head and body, up to `maxBody` bytes; more is 413, as
/// the apiserver's 3 MiB limit) and hands it to the router off the event loop, since
/// handlers block on the store's durable writes.
final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: APIRequestHandling
    private let maxBody: Int
    private let queue: DispatchQueue
    private var head: HTTPRequestHead?
    private var body = Data()
    private var tooLarge = false

    init(router: APIRequestHandling, maxBody: Int, queue: DispatchQueue) {
        self.router = router
        self.maxBody = maxBody
        self.queue = queue
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = Data()
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > maxBody {
                tooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body.append(contentsOf: bytes)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let request = APIRequest(method: head.method.rawValue, uri: head.uri, headers: headers, body: tooLarge ? Data() : body)
            let sink = ResponseSink(channel: context.channel, version: head.version, keepAlive: head.isKeepAlive)
            body = Data()
            if tooLarge {
                sink.respond(StatusResponse.requestEntityTooLarge(limit: maxBody))
                return
            }
            let router = self.router
            queue.async { router.handle(request, sink) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
