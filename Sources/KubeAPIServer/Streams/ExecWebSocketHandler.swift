import APIStore
import Foundation
import Logging
import NIOCore
import NIOWebSocket

/// One `exec` session over a WebSocket, in the channel protocol: every binary message starts
/// with its stream (0 stdin, 1 stdout, 2 stderr, 3 error — the final Status —, 4 resize;
/// v5's 255 closes a stream). The exit code goes back as the Status kubectl turns into its own.
final class ExecWebSocketHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let logger: Logger
    private var process: ExecProcess?
    private var channel: Channel?
    private var pending = Data()
    /// Input that arrived before the process started (kubectl cp sends its tar at once),
    /// replayed in order once it has; nil is a close of stdin.
    private var earlyInput: [Data?] = []

    init(logger: Logger) {
        self.logger = logger
    }

    /// Starts the process (off the event loop) and pumps its output to the client.
    func start(channel: Channel, _ launch: @escaping @Sendable () throws -> ExecProcess) {
        self.channel = channel
        DispatchQueue.global().async { [self] in
            let process: ExecProcess
            do {
                process = try launch()
            } catch {
                let status = (error as? StatusError) ?? StatusError.internalError("\(error)")
                finish(status: .object(["metadata": .object([:]), "status": "Failure", "message": .string(status.message),
                                        "reason": .string(status.reason), "code": .int(Int64(status.code))]))
                return
            }
            channel.eventLoop.execute {
                self.process = process
                for chunk in self.earlyInput { process.input(chunk) }
                self.earlyInput = []
            }
            let group = DispatchGroup()
            for (stream, read) in [(UInt8(1), Optional(process.stdout)), (UInt8(2), process.stderr)] {
                guard let read else { continue }
                group.enter()
                DispatchQueue.global().async {
                    while let chunk = read() { self.send(stream: stream, chunk) }
                    group.leave()
                }
            }
            group.wait()
            let code = process.wait()
            if code == 0 {
                finish(status: .object(["metadata": .object([:]), "status": "Success"]))
            } else {
                finish(status: .object([
                    "metadata": .object([:]), "status": "Failure",
                    "message": .string("command terminated with non-zero exit code: error executing command, exit status \(code)"),
                    "reason": "NonZeroExitCode",
                    "details": .object(["causes": [.object(["reason": "ExitCode", "message": .string(String(code))])]]),
                ]))
            }
        }
    }

    private func send(stream: UInt8, _ data: Data) {
        guard let channel else { return }
        var buffer = channel.allocator.buffer(capacity: data.count + 1)
        buffer.writeInteger(stream)
        buffer.writeBytes(data)
        let frame = WebSocketFrame(fin: true, opcode: .binary, data: buffer)
        channel.writeAndFlush(frame, promise: nil)
    }

    private func finish(status: JSONValue) {
        send(stream: 3, status.data())
        guard let channel else { return }
        var code = channel.allocator.buffer(capacity: 2)
        code.write(webSocketErrorCode: .normalClosure)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: code)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary, .text, .continuation:
            var bytes = frame.unmaskedData
            pending.append(contentsOf: bytes.readBytes(length: bytes.readableBytes) ?? [])
            guard frame.fin else { return }
            let message = pending
            pending = Data()
            guard let stream = message.first else { return }
            let payload = message.dropFirst()
            switch stream {
            case 0: deliver(Data(payload))
            case 4:
                if let size = JSONValue.parse(Data(payload)), let width = size["Width"]?.int, let height = size["Height"]?.int {
                    process?.resize(UInt16(clamping: width), UInt16(clamping: height))
                }
            case 255:
                if payload.first == 0 { deliver(nil) }
            default: break
            }
        case .connectionClose:
            deliver(nil)
            context.close(promise: nil)
        case .ping:
            var payload = frame.unmaskedData
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: payload.readSlice(length: payload.readableBytes) ?? context.channel.allocator.buffer(capacity: 0))
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        default:
            break
        }
    }

    /// Stdin to the process, or held until it has started.
    private func deliver(_ chunk: Data?) {
        if let process { process.input(chunk) } else { earlyInput.append(chunk) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        process?.input(nil)
        context.fireChannelInactive()
    }
}
