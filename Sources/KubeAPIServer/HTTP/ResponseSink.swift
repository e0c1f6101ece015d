import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Where a handler writes its answer, from any thread: one whole response, or a stream
/// (chunked: watches, `logs -f`) that ends when the handler finishes it or the client goes.
public final class ResponseSink: @unchecked Sendable {
    private let channel: Channel
    private let version: HTTPVersion
    private let keepAlive: Bool
    private let state = NIOLockedValueBox<(started: Bool, finished: Bool, closeHandlers: [@Sendable () -> Void])>(
        (false, false, []))

    init(channel: Channel, version: HTTPVersion, keepAlive: Bool) {
        self.channel = channel
        self.version = version
        self.keepAlive = keepAlive
        channel.closeFuture.whenComplete { [weak self] _ in self?.closed() }
    }

    private let statusBox = NIOLockedValueBox<Int?>(nil)

    /// The status code sent, once a response or stream has begun.
    public var responseStatus: Int? { statusBox.withLockedValue { $0 } }

    /// Whether the client is still there.
    public var isOpen: Bool { channel.isActive && !state.withLockedValue { $0.finished } }

    /// Runs `handler` once the connection closes (or at once if it already has).
    public func onClose(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLockedValue { value -> Bool in
            if !channel.isActive { return true }
            value.closeHandlers.append(handler)
            return false
        }
        if runNow { handler() }
    }

    private func closed() {
        let handlers = state.withLockedValue { value -> [@Sendable () -> Void] in
            value.finished = true
            defer { value.closeHandlers = [] }
            return value.closeHandlers
        }
        handlers.forEach { $0() }
    }

    /// Sends a whole response.
    public func respond(_ response: APIResponse) {
        guard begin() else { return }
        statusBox.withLockedValue { $0 = response.status }
        var head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status))
        for (name, value) in response.headers { head.headers.add(name: name, value: value) }
        head.headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        head.headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        var buffer = channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        let keepAlive = self.keepAlive
        let channel = self.channel
        channel.eventLoop.execute {
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
        state.withLockedValue { $0.finished = true }
    }

    /// Starts a chunked stream.
    public func startStream(status: Int = 200, contentType: String) {
        guard begin() else { return }
        statusBox.withLockedValue { $0 = status }
        var head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status))
        head.headers.add(name: "Content-Type", value: contentType)
        head.headers.add(name: "Transfer-Encoding", value: "chunked")
        head.headers.add(name: "Cache-Control", value: "no-cache, private")
        let channel = self.channel
        channel.eventLoop.execute { channel.writeAndFlush(HTTPServerResponsePart.head(head), promise: nil) }
    }

    /// Writes one chunk of a stream.
    public func write(_ data: Data) {
        guard !data.isEmpty, isOpen else { return }
        var buffer = channel.allocator.buffer(capacity: data.count)
        buffer.writeBytes(data)
        let channel = self.channel
        channel.eventLoop.execute { channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil) }
    }

    /// Ends a stream.
    public func finish() {
        let first = state.withLockedValue { value -> Bool in
            defer { value.finished = true }
            return !value.finished
        }
        guard first else { return }
        let channel = self.channel
        let keepAlive = self.keepAlive
        channel.eventLoop.execute {
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }

    private func begin() -> Bool {
        state.withLockedValue { value -> Bool in
            if value.started || value.finished { return false }
            value.started = true
            return true
        }
    }
}
