import Foundation
import Logging

/// A resolver the cluster DNS forwards other names to.
public struct DNSUpstream: Sendable, Hashable, CustomStringConvertible {
    public var address: String
    public var port: UInt16

    public init(address: String, port: UInt16 = 53) {
        self.address = address
        self.port = port
    }

    public var description: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }

    /// The nameservers of a resolv.conf, leaving out the cluster DNS server's own address
    /// (so it never forwards to itself) and anything that is not an IP address.
    public static func fromResolvConf(_ text: String, excluding own: DNSUpstream? = nil) -> [DNSUpstream] {
        ResolvConf(parsing: text).nameservers.compactMap { server in
            guard let bytes = DNSAddressText.bytes(of: server) else { return nil }
            let upstream = DNSUpstream(address: server, port: 53)
            if let own, own.port == 53, let ownBytes = DNSAddressText.bytes(of: own.address) {
                if ownBytes == bytes { return nil }
                if ownBytes.allSatisfy({ $0 == 0 }), bytes.count == ownBytes.count { return nil }
            }
            return upstream
        }
    }

    /// The upstreams of a resolv.conf file; a missing file means none.
    public static func fromResolvConf(path: String, excluding own: DNSUpstream? = nil) -> [DNSUpstream] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return fromResolvConf(text, excluding: own)
    }
}

/// Sends a query to the upstream resolvers in order and returns the first valid reply.
/// The query goes out with a fresh random id on its own connected socket; the reply must
/// carry that id and the same question, and is handed back with the client's id. The reply
/// is relayed byte for byte: re-encoding could break compressed names inside record types
/// this server does not parse (MX, NAPTR…).
struct DNSForwarder: Sendable {
    var upstreams: [DNSUpstream]
    var timeout: TimeInterval

    /// The reply's bytes (with the client's id) and its parsed form.
    func forward(_ query: DNSMessage, overTCP: Bool, logger: Logger) -> (bytes: [UInt8], message: DNSMessage)? {
        for upstream in upstreams {
            guard let address = DNSSocketAddress(ip: upstream.address, port: upstream.port) else { continue }
            var outgoing = query
            outgoing.id = UInt16.random(in: .min ... .max)
            let deadline = Date().addingTimeInterval(timeout)
            let raw = overTCP ? exchangeTCP(outgoing.encoded(), with: address, until: deadline)
                              : exchangeUDP(outgoing.encoded(), with: address, until: deadline, expecting: outgoing.id)
            guard let raw else {
                logger.debug("upstream \(upstream) gave no answer for \(query.questions.first?.name.description ?? "?")")
                continue
            }
            guard var reply = try? DNSMessage(bytes: raw), reply.id == outgoing.id, reply.isResponse,
                  reply.questions == query.questions else {
                logger.debug("upstream \(upstream) sent a reply that does not match the query")
                continue
            }
            reply.id = query.id
            var bytes = raw
            bytes[0] = UInt8(query.id >> 8)
            bytes[1] = UInt8(query.id & 0xFF)
            return (bytes, reply)
        }
        return nil
    }

    private func exchangeUDP(_ query: [UInt8], with address: DNSSocketAddress, until deadline: Date,
                             expecting id: UInt16) -> [UInt8]? {
        guard let fd = try? DNSSocket.open(address.family, Int32(SOCK_DGRAM.rawValue), address: address.description) else {
            return nil
        }
        defer { close(fd) }
        guard DNSSocket.connect(fd, to: address, until: deadline) else { return nil }
        let sent = query.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == query.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65535)
        while DNSSocket.wait(fd, events: Int16(POLLIN), until: deadline) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            // ECONNREFUSED: nothing listens there; try the next upstream now.
            guard n > 0 else { return nil }
            let reply = Array(buffer[0..<n])
            if DNSMessage.id(ofMalformed: reply) == id { return reply }
        }
        return nil
    }

    private func exchangeTCP(_ query: [UInt8], with address: DNSSocketAddress, until deadline: Date) -> [UInt8]? {
        guard let fd = try? DNSSocket.open(address.family, Int32(SOCK_STREAM.rawValue), address: address.description) else {
            return nil
        }
        defer { close(fd) }
        guard DNSSocket.connect(fd, to: address, until: deadline),
              DNSSocket.writeTCPMessage(fd, query, until: deadline) else { return nil }
        return DNSSocket.readTCPMessage(fd, until: deadline)
    }
}
