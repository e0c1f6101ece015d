import Foundation
import NodeSupport
import Testing
@testable import ClusterDNS

/// The responder on 127.0.0.1 with kernel-chosen ports: loopback only, no root needed.
@Suite struct DNSServerTests {
    static let services = [
        DNSServiceRecord(name: "web", namespace: "default", clusterIP: "10.96.0.20",
                         ports: [.init(name: "http", port: 80)]),
        DNSServiceRecord(name: "out", namespace: "default", clusterIP: nil, externalName: "db.x.svc.upstream.test"),
        DNSServiceRecord(name: "gone", namespace: "default", clusterIP: nil, externalName: "gone.upstream.test"),
    ]

    /// Runs `body` with a started server and stops it after.
    func withServer<R>(_ records: ClusterDNSRecords, upstreams: [DNSUpstream] = [],
                       _ body: (ClusterDNSServer) throws -> R) throws -> R {
        let server = ClusterDNSServer(configuration: .init(address: "127.0.0.1", port: 0, upstreams: upstreams),
                                      records: records)
        try server.start()
        defer { server.stop() }
        return try body(server)
    }

    @Test func answersClusterNamesOverUDPAndTCP() throws {
        try withServer(ClusterDNSRecords(services: Self.services)) { (server: ClusterDNSServer) throws in
            let udp = try DNSTestClient.ask("web.default.svc.cluster.local", .a, port: server.port)
            #expect(udp.rcode == .noError && udp.authoritative && udp.recursionAvailable)
            #expect(udp.answers.map(\.data) == [.a([10, 96, 0, 20])])
            let tcp = try DNSTestClient.ask("_http._tcp.web.default.svc.cluster.local", .srv, port: server.port, tcp: true)
            #expect(tcp.answers.map(\.data) == [.srv(priority: 0, weight: 100, port: 80, target: DNSName("web.default.svc.cluster.local")!)])
            #expect(try DNSTestClient.ask("nope.default.svc.cluster.local", .a, port: server.port).rcode == .nameError)
        }
    }

    @Test func updateSwapsTheTableWhileServing() throws {
        try withServer(ClusterDNSRecords(services: [])) { (server: ClusterDNSServer) throws in
            #expect(try DNSTestClient.ask("web.default.svc.cluster.local", .a, port: server.port).rcode == .nameError)
            server.update(records: ClusterDNSRecords(services: Self.services))
            #expect(try DNSTestClient.ask("web.default.svc.cluster.local", .a, port: server.port).answers.count == 1)
            // From Services: same domain, next SOA serial.
            server.update(services: [])
            let gone = try DNSTestClient.ask("web.default.svc.cluster.local", .a, port: server.port)
            #expect(gone.rcode == .nameError)
            guard case .soa(let soa)? = gone.authorities.first?.data else {
                Issue.record("NXDOMAIN without SOA")
                return
            }
            #expect(soa.serial == 2)
        }
    }

    @Test func concurrentQueriesDuringUpdatesSeeTheOldOrTheNewAddress() throws {
        func table(_ last: UInt8) -> ClusterDNSRecords {
            ClusterDNSRecords(services: [DNSServiceRecord(name: "web", namespace: "default", clusterIP: "10.96.0.\(last)")])
        }
        try withServer(table(1)) { (server: ClusterDNSServer) throws in
            let port = server.port
            let seen = NSLock()
            var addresses: Set<[UInt8]> = []
            var failures = 0
            DispatchQueue.concurrentPerform(iterations: 400) { index in
                if index % 40 == 0 { server.update(records: table(index % 80 == 0 ? 2 : 1)) }
                let reply = try? DNSTestClient.ask("web.default.svc.cluster.local", .a, port: port, tcp: index % 3 == 0)
                seen.withLock {
                    if let reply, case .a(let bytes)? = reply.answers.first?.data, reply.answers.count == 1 {
                        addresses.insert(bytes)
                    } else {
                        failures += 1
                    }
                }
            }
            #expect(failures == 0)
            #expect(addresses.isSubset(of: [[10, 96, 0, 1], [10, 96, 0, 2]]))
            server.update(records: table(3))
            #expect(try DNSTestClient.ask("web.default.svc.cluster.local", .a, port: port).answers.map(\.data) == [.a([10, 96, 0, 3])])
        }
    }

    @Test func otherNamesAreForwardedToTheUpstreamAndExternalNamesChased() throws {
        let upstreamRecords = ClusterDNSRecords(services: [
            DNSServiceRecord(name: "db", namespace: "x", clusterIP: "192.0.2.7"),
        ], clusterDomain: "upstream.test")
        try withServer(upstreamRecords) { (upstream: ClusterDNSServer) throws in
            let upstreams = [DNSUpstream(address: "127.0.0.1", port: upstream.port)]
            try withServer(ClusterDNSRecords(services: Self.services), upstreams: upstreams) { (server: ClusterDNSServer) throws in
                for tcp in [false, true] {
                    let reply = try DNSTestClient.ask("db.x.svc.upstream.test", .a, port: server.port, tcp: tcp)
                    #expect(reply.rcode == .noError)
                    #expect(reply.answers.map(\.data) == [.a([192, 0, 2, 7])])
                    #expect(try DNSTestClient.ask("nope.upstream.test", .a, port: server.port, tcp: tcp).rcode == .nameError)
                }
                // ExternalName -> CNAME out of the cluster, completed by the upstream.
                let chased = try DNSTestClient.ask("out.default.svc.cluster.local", .a, port: server.port)
                #expect(chased.rcode == .noError)
                #expect(chased.answers.map(\.data) == [.cname(DNSName("db.x.svc.upstream.test")!), .a([192, 0, 2, 7])])
                let dangling = try DNSTestClient.ask("gone.default.svc.cluster.local", .a, port: server.port)
                #expect(dangling.rcode == .nameError && dangling.answers.map(\.type) == [.cname])
            }
        }
    }

    @Test func aDeadUpstreamGivesSERVFAIL() throws {
        // A port nothing listens on: the kernel refuses at once.
        let closed = try DNSTestClient.unusedUDPPort()
        try withServer(ClusterDNSRecords(services: []), upstreams: [DNSUpstream(address: "127.0.0.1", port: closed)]) { (server: ClusterDNSServer) throws in
            #expect(try DNSTestClient.ask("example.com", .a, port: server.port).rcode == .serverFailure)
        }
        try withServer(ClusterDNSRecords(services: [])) { (server: ClusterDNSServer) throws in
            #expect(try DNSTestClient.ask("example.com", .a, port: server.port).rcode == .serverFailure)
        }
    }

    @Test func garbageGetsFORMERROrNothing() throws {
        try withServer(ClusterDNSRecords(services: Self.services)) { (server: ClusterDNSServer) throws in
            let formErr = try DNSTestClient.exchange([0xAB, 0xCD, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1],
                                                     port: server.port)
            let reply = try DNSMessage(bytes: try #require(formErr))
            #expect(reply.id == 0xABCD && reply.rcode == .formatError)
            // Responses and runts are dropped, and the server keeps serving.
            #expect(try DNSTestClient.exchange([0, 1, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0], port: server.port, wait: 0.2) == nil)
            #expect(try DNSTestClient.exchange([1, 2, 3], port: server.port, wait: 0.2) == nil)
            #expect(try DNSTestClient.ask("web.default.svc.cluster.local", .a, port: server.port).answers.count == 1)
        }
    }

    @Test func largeAnswersAreTruncatedOverUDPAndCompleteOverTCP() throws {
        let endpoints = (1...80).map { DNSServiceRecord.Endpoint(ip: "10.244.1.\($0)") }
        let records = ClusterDNSRecords(services: [DNSServiceRecord(name: "big", namespace: "default", clusterIP: nil, endpoints: endpoints)])
        try withServer(records) { (server: ClusterDNSServer) throws in
            let udp = try DNSTestClient.ask("big.default.svc.cluster.local", .a, port: server.port)
            #expect(udp.truncated && udp.answers.count < 80)
            let edns = try DNSTestClient.ask("big.default.svc.cluster.local", .a, port: server.port, ednsSize: 4096)
            #expect(!edns.truncated && edns.answers.count == 80 && edns.ednsOPT != nil)
            let tcp = try DNSTestClient.ask("big.default.svc.cluster.local", .a, port: server.port, tcp: true)
            #expect(!tcp.truncated && tcp.answers.count == 80)
        }
    }

    @Test func upstreamsComeFromResolvConfWithoutTheServerItself() {
        let conf = "# node resolvers\nnameserver 10.96.0.10\nnameserver 192.0.2.53\nnameserver fd00::53\nnameserver bogus\nsearch corp.example\n"
        #expect(DNSUpstream.fromResolvConf(conf, excluding: DNSUpstream(address: "10.96.0.10"))
                == [DNSUpstream(address: "192.0.2.53"), DNSUpstream(address: "fd00::53")])
        // On another port the same address is a different server.
        #expect(DNSUpstream.fromResolvConf(conf, excluding: DNSUpstream(address: "10.96.0.10", port: 5353)).count == 3)
        #expect(DNSUpstream.fromResolvConf(path: "/nonexistent/resolv.conf").isEmpty)
    }

    @Test func theAddressHelperBuildsIpCommandsForLoopback() throws {
        #expect(try ClusterDNSAddress.addressCommand("replace", ip: "10.96.0.10", device: "lo", netnsPath: nil)
                == ["ip", "addr", "replace", "10.96.0.10/32", "dev", "lo"])
        #expect(try ClusterDNSAddress.addressCommand("del", ip: "fd00::a", device: "lo", netnsPath: "/run/swiftlet/netns/node")
                == ["nsenter", "--net=/run/swiftlet/netns/node", "--", "ip", "addr", "del", "fd00::a/128", "dev", "lo"])
        #expect(throws: ClusterDNSAddress.CommandError.self) {
            try ClusterDNSAddress.addressCommand("replace", ip: "kube-dns", device: "lo", netnsPath: nil)
        }
    }

    @Test func aTakenAddressIsAClearError() throws {
        try withServer(ClusterDNSRecords(services: [])) { (server: ClusterDNSServer) throws in
            let second = ClusterDNSServer(configuration: .init(address: "127.0.0.1", port: server.port), records: ClusterDNSRecords(services: []))
            #expect(throws: SystemError.self) { try second.start() }
            do { try second.start() } catch { #expect("\(error)".hasPrefix("bind 127.0.0.1:\(server.port): Address already in use")) }
        }
        let named = ClusterDNSServer(configuration: .init(address: "kube-dns"), records: ClusterDNSRecords(services: []))
        do {
            try named.start()
            Issue.record("a host name is not a listen address")
        } catch {
            #expect("\(error)" == "cluster DNS listen kube-dns: not an IP address")
        }
    }
}

/// A minimal stub resolver for tests: one query over UDP or TCP to 127.0.0.1.
enum DNSTestClient {
    struct NoReply: Error {}

    static func ask(_ name: String, _ type: DNSRecordType, port: UInt16, tcp: Bool = false,
                    ednsSize: UInt16? = nil, host: String = "127.0.0.1") throws -> DNSMessage {
        var query = DNSMessage.query(id: UInt16.random(in: 1...UInt16.max), name: DNSName(name)!, type: type)
        if let ednsSize { query.additionals = [.opt(payloadSize: ednsSize)] }
        guard let bytes = try exchange(query.encoded(), port: port, tcp: tcp, host: host) else { throw NoReply() }
        let reply = try DNSMessage(bytes: bytes)
        #expect(reply.id == query.id)
        return reply
    }

    /// Sends raw bytes and returns the raw reply, or nil when none came within `wait` seconds.
    static func exchange(_ bytes: [UInt8], port: UInt16, tcp: Bool = false, host: String = "127.0.0.1",
                         wait: TimeInterval = 10) throws -> [UInt8]? {
        let address = DNSSocketAddress(ip: host, port: port)!
        let fd = try DNSSocket.open(address.family, Int32(tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), address: "\(address)")
        defer { close(fd) }
        let deadline = Date().addingTimeInterval(wait)
        guard DNSSocket.connect(fd, to: address, until: deadline) else { return nil }
        if tcp {
            guard DNSSocket.writeTCPMessage(fd, bytes, until: deadline) else { return nil }
            return DNSSocket.readTCPMessage(fd, until: deadline)
        }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard DNSSocket.wait(fd, events: Int16(POLLIN), until: deadline) else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65535)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? Array(buffer[0..<n]) : nil
    }

    /// A UDP port on 127.0.0.1 that was free a moment ago.
    static func unusedUDPPort() throws -> UInt16 {
        let address = DNSSocketAddress(ip: "127.0.0.1", port: 0)!
        let fd = try DNSSocket.open(AF_INET, Int32(SOCK_DGRAM.rawValue), address: "127.0.0.1")
        defer { close(fd) }
        _ = address.withSockaddr { bind(fd, $0, $1) }
        return DNSSocketAddress.localPort(of: fd)!
    }
}
