import TestSupport
import Testing
@testable import ClusterDNS

@Suite struct DNSMessageTests {
    /// `dig +noedns web.default.svc.cluster.local A` as it goes on the wire (id 0x1234, RD).
    static let digQuery: [UInt8] = [
        0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        3, 0x77, 0x65, 0x62, 7, 0x64, 0x65, 0x66, 0x61, 0x75, 0x6c, 0x74, 3, 0x73, 0x76, 0x63,
        7, 0x63, 0x6c, 0x75, 0x73, 0x74, 0x65, 0x72, 5, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0,
        0x00, 0x01, 0x00, 0x01,
    ]

    @Test func parsesAStubResolverQueryAndEncodesItBackIdentically() throws {
        let query = try DNSMessage(bytes: Self.digQuery)
        #expect(query.id == 0x1234)
        #expect(query.recursionDesired && !query.isResponse)
        #expect(query.questions == [DNSQuestion(name: DNSName("web.default.svc.cluster.local")!, type: .a)])
        #expect(query.encoded() == Self.digQuery)
    }

    @Test func namesCompareWithoutCaseAndPrintWithTheRootDot() {
        #expect(DNSName("Web.DEFAULT.svc.cluster.local.")! == DNSName("web.default.svc.cluster.local")!)
        #expect(DNSName("Web.default")!.description == "Web.default.")
        #expect(DNSName("")! == .root)
        #expect(DNSName("a..b") == nil)
        #expect(DNSName(String(repeating: "x", count: 64)) == nil)
        #expect(DNSName(Array(repeating: String(repeating: "x", count: 63), count: 4).joined(separator: ".")) == nil)
    }

    @Test func repliesCompressRepeatedNamesAndParseBack() throws {
        let name = DNSName("web.default.svc.cluster.local")!
        var reply = DNSMessage.query(id: 7, name: name, type: .srv).reply()
        reply.answers = [
            DNSResourceRecord(name: name, ttl: 5, data: .srv(priority: 0, weight: 100, port: 80, target: name)),
            DNSResourceRecord(name: name, ttl: 5, data: .cname(DNSName("db.default.svc.cluster.local")!)),
        ]
        reply.authorities = [DNSResourceRecord(name: DNSName("cluster.local")!, ttl: 5, data: .soa(DNSStartOfAuthority(
            primaryNameServer: DNSName("ns.dns.cluster.local")!, mailbox: DNSName("hostmaster.cluster.local")!,
            serial: 9, refresh: 7200, retry: 1800, expire: 86400, minimumTTL: 5)))]
        reply.additionals = [DNSResourceRecord(name: name, ttl: 5, data: .a([10, 96, 0, 1]))]
        let bytes = reply.encoded()
        // The answer's owner is a pointer to the question name at offset 12.
        let answerStart = 12 + name.wireLength + 4
        #expect(Array(bytes[answerStart..<answerStart + 2]) == [0xC0, 0x0C])
        #expect(bytes.count < 12 + 4 * name.wireLength + 100)
        #expect(try DNSMessage(bytes: bytes) == reply)
    }

    @Test func compressionPointersThatLoopOrPointForwardAreRefused() {
        // The question name is a pointer to itself.
        let selfLoop: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]
        #expect(throws: DNSParseError(reason: .compressionLoop, offset: 12)) { try DNSMessage(bytes: selfLoop) }
        // Two names pointing at each other: the second pointer does not go below the first.
        let pingPong: [UInt8] = [0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0,
                                 1, 0x61, 0xC0, 18, 0, 1, 0, 1,
                                 1, 0x62, 0xC0, 12, 0, 1, 0, 1]
        #expect(throws: DNSParseError.self) { try DNSMessage(bytes: pingPong) }
        let forward: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 20, 0, 1, 0, 1, 0, 0, 0]
        #expect(throws: DNSParseError(reason: .compressionLoop, offset: 12)) { try DNSMessage(bytes: forward) }
    }

    @Test func shortAndOverlongInputIsAnErrorNamingWhere() {
        #expect(throws: DNSParseError(reason: .truncated, offset: 12)) { try DNSMessage(bytes: Array(Self.digQuery.prefix(12)) + [3]) }
        #expect(throws: DNSParseError(reason: .trailingBytes, offset: Self.digQuery.count)) {
            try DNSMessage(bytes: Self.digQuery + [0])
        }
        #expect("\(DNSParseError(reason: .truncated, offset: 3))" == "DNS message: message ends inside a field at byte 3")
    }

    @Test func udpRepliesOverTheLimitAreTruncatedWithTheTCFlag() throws {
        let name = DNSName("big.default.svc.cluster.local")!
        var reply = DNSMessage.query(id: 1, name: name, type: .a).reply()
        reply.answers = (0..<100).map { DNSResourceRecord(name: name, ttl: 5, data: .a([10, 0, 0, UInt8($0)])) }
        let bytes = reply.encoded(maxSize: 512)
        #expect(bytes.count <= 512)
        let parsed = try DNSMessage(bytes: bytes)
        #expect(parsed.truncated)
        #expect(parsed.answers.count > 10 && parsed.answers.count < 100)
        #expect(parsed.answers == Array(reply.answers.prefix(parsed.answers.count)))
        // Over TCP everything fits.
        #expect(try DNSMessage(bytes: reply.encoded()).answers.count == 100)
    }

    @Test func droppedAdditionalRecordsDoNotSetTC() throws {
        let name = DNSName("svc.default.svc.cluster.local")!
        var reply = DNSMessage.query(id: 1, name: name, type: .srv).reply()
        reply.answers = [DNSResourceRecord(name: name, ttl: 5, data: .srv(priority: 0, weight: 100, port: 80, target: name))]
        reply.additionals = (0..<100).map { DNSResourceRecord(name: name, ttl: 5, data: .a([10, 0, 0, UInt8($0)])) }
        let parsed = try DNSMessage(bytes: reply.encoded(maxSize: 512))
        #expect(!parsed.truncated)
        #expect(parsed.answers.count == 1)
        #expect(parsed.additionals.count < 100)
    }

    @Test func ednsOPTIsParsedKeptAndSetsTheUDPSize() throws {
        var query = DNSMessage.query(id: 9, name: DNSName("example.org")!, type: .a)
        query.additionals = [.opt(payloadSize: 1232)]
        let parsed = try DNSMessage(bytes: query.encoded())
        #expect(parsed.ednsOPT?.recordClass.rawValue == 1232)
        #expect(parsed.maxUDPPayloadSize == 1232)
        #expect(DNSMessage.query(id: 1, name: .root, type: .a).maxUDPPayloadSize == 512)

        // An OPT with options (a cookie) is carried as opaque bytes and survives truncation.
        var reply = parsed.reply()
        let owner = DNSName("example.org")!
        reply.answers = (0..<200).map { DNSResourceRecord(name: owner, ttl: 5, data: .a([192, 0, 2, UInt8($0)])) }
        reply.additionals = [DNSResourceRecord(name: .root, recordClass: DNSRecordClass(rawValue: 1232), ttl: 0,
                                               data: .other(type: .opt, rdata: [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]))]
        let truncated = try DNSMessage(bytes: reply.encoded(maxSize: 512))
        #expect(truncated.truncated)
        #expect(truncated.additionals == reply.additionals)
    }

    @Test func randomBytesNeverCrashTheParser() {
        var generator = SplitMix64(seed: 0x5eed)
        var parsed = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...300, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if let message = try? DNSMessage(bytes: bytes) {
                parsed += 1
                // Whatever parses encodes and parses again.
                _ = try? DNSMessage(bytes: message.encoded())
            }
        }
        #expect(parsed < 20_000)
    }

    @Test func mutatedValidMessagesNeverCrashTheParser() throws {
        let name = DNSName("web.default.svc.cluster.local")!
        var reply = DNSMessage.query(id: 3, name: name, type: .srv).reply()
        reply.answers = [DNSResourceRecord(name: name, ttl: 5, data: .srv(priority: 0, weight: 100, port: 80, target: name)),
                         DNSResourceRecord(name: name, ttl: 5, data: .txt([[1, 2, 3]]))]
        reply.additionals = [DNSResourceRecord(name: name, ttl: 5, data: .a([10, 96, 0, 1])), .opt(payloadSize: 4096)]
        let valid = reply.encoded()
        var generator = SplitMix64(seed: 42)
        var survivors = 0
        for _ in 0..<20_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if Bool.random(using: &generator) { bytes.removeLast(Int.random(in: 0..<bytes.count, using: &generator)) }
            if let message = try? DNSMessage(bytes: bytes) {
                survivors += 1
                _ = message.encoded(maxSize: 512)
            }
        }
        #expect(survivors > 0)
    }
}

