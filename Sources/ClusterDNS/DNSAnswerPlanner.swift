import Logging

/// What the cluster DNS does with one query, decided from the table without blocking: the
/// server sends a `reply` at once from its poll thread and hands the forwarding plans to a
/// thread of their own.
public enum DNSAnswerPlan: Sendable, Equatable {
    /// A response, or a message too short to carry an id: nothing is sent back.
    case drop
    case reply([UInt8])
    /// Not a cluster name: ask the upstreams.
    case forward(DNSMessage)
    /// A cluster name whose CNAME leaves the cluster: ask the upstreams for the target.
    case chase(query: DNSMessage, reply: DNSMessage, target: DNSName)
}

/// The pure core of the cluster DNS responder: plans the answer to a query from a
/// `ClusterDNSRecords` table, completes a plan with what the upstreams said, and encodes
/// replies (recursion available, EDNS0, truncation). `ClusterDNSServer` adds the sockets,
/// the threads and the forwarder.
public struct DNSAnswerPlanner: Sendable {
    /// The payload size this server advertises in EDNS0 replies (the DNS flag day value).
    public static let ednsPayloadSize: UInt16 = 1232

    public var records: ClusterDNSRecords
    /// Whether there are upstreams: without any, an out-of-cluster CNAME is answered as it is.
    public var canForward: Bool

    public init(records: ClusterDNSRecords, canForward: Bool) {
        self.records = records
        self.canForward = canForward
    }

    /// What to do with the query `bytes`.
    public func plan(for bytes: [UInt8], overTCP: Bool, logger: Logger? = nil) -> DNSAnswerPlan {
        let query: DNSMessage
        do {
            query = try DNSMessage(bytes: bytes)
        } catch {
            guard bytes.count >= 12, bytes[2] & 0x80 == 0, let id = DNSMessage.id(ofMalformed: bytes) else { return .drop }
            logger?.debug("cluster DNS: malformed query: \(error)")
            return .reply(DNSMessage(id: id, isResponse: true, rcode: .formatError).encoded())
        }
        guard !query.isResponse else { return .drop }
        guard query.opcode == 0 else { return .reply(Self.finish(query.reply(rcode: .notImplemented), for: query, overTCP: overTCP)) }
        guard query.questions.count == 1 else { return .reply(Self.finish(query.reply(rcode: .formatError), for: query, overTCP: overTCP)) }
        guard let answer = records.answer(query) else { return .forward(query) }
        if let last = answer.answers.last, case .cname(let target) = last.data, !records.isAuthoritative(for: target),
           let type = query.questions.first?.type, type != .cname, type != .any, canForward {
            return .chase(query: query, reply: answer, target: target)
        }
        return .reply(Self.finish(answer, for: query, overTCP: overTCP))
    }

    /// The reply a plan comes to. The forwarding plans ask `forward` (the upstreams; it may
    /// block), which returns the reply's bytes with the client's id and its parsed form.
    public static func complete(
        _ plan: DNSAnswerPlan, overTCP: Bool, logger: Logger? = nil,
        forward: (DNSMessage) -> (bytes: [UInt8], message: DNSMessage)?
    ) -> [UInt8]? {
        switch plan {
        case .drop: return nil
        case .reply(let bytes): return bytes
        case .forward(let query):
            if let forwarded = forward(query) { return forwarded.bytes }
            logger?.debug("cluster DNS: no upstream answered \(query.questions[0].name)")
            return finish(query.reply(rcode: .serverFailure), for: query, overTCP: overTCP)
        case .chase(let query, var reply, let target):
            var targetQuery = query
            targetQuery.questions[0].name = target
            guard let forwarded = forward(targetQuery) else {
                reply.rcode = .serverFailure
                return finish(reply, for: query, overTCP: overTCP)
            }
            // Only records this server can re-encode faithfully join the answer.
            reply.answers += forwarded.message.answers.filter {
                if case .other = $0.data { return false }
                return true
            }
            reply.rcode = forwarded.message.rcode
            return finish(reply, for: query, overTCP: overTCP)
        }
    }

    /// Encodes a reply: recursion available (this server forwards), an EDNS0 OPT record when
    /// the query had one, and truncation to the client's UDP size.
    public static func finish(_ reply: DNSMessage, for query: DNSMessage, overTCP: Bool) -> [UInt8] {
        var reply = reply
        reply.recursionAvailable = true
        reply.additionals.removeAll { $0.type == .opt }
        if query.ednsOPT != nil { reply.additionals.append(.opt(payloadSize: ednsPayloadSize)) }
        let limit = overTCP ? Int(UInt16.max) : min(query.maxUDPPayloadSize, 4096)
        return reply.encoded(maxSize: limit)
    }
}
