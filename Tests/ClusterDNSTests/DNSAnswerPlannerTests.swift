import Testing
@testable import ClusterDNS

/// The responder's decisions without sockets: what a query gets from the table, what goes
/// to the upstreams, and how what they say is put into the reply.
@Suite struct DNSAnswerPlannerTests {
    static let records = ClusterDNSRecords(services: [
        DNSServiceRecord(name: "web", namespace: "default", clusterIP: "10.96.0.20"),
        DNSServiceRecord(name: "out", namespace: "default", clusterIP: nil, externalName: "db.example.test"),
    ])

    static func query(_ name: String, _ type: DNSRecordType = .a, id: UInt16 = 0x1234) -> DNSMessage {
        DNSMessage.query(id: id, name: DNSName(name)!, type: type)
    }

    /// The reply a plan sends at once, parsed; nil for any other plan.
    static func immediateReply(_ plan: DNSAnswerPlan) throws -> DNSMessage? {
        guard case .reply(let bytes) = plan else { return nil }
        return try DNSMessage(bytes: bytes)
    }

    let planner = DNSAnswerPlanner(records: Self.records, canForward: true)

    @Test func aClusterNameIsAnsweredAtOnceFromTheTable() throws {
        let plan = planner.plan(for: Self.query("web.default.svc.cluster.local").encoded(), overTCP: false)
        let reply = try #require(try Self.immediateReply(plan))
        #expect(reply.id == 0x1234 && reply.isResponse && reply.authoritative && reply.recursionAvailable)
        #expect(reply.answers.map(\.data) == [.a([10, 96, 0, 20])])
        let missing = try #require(try Self.immediateReply(
            planner.plan(for: Self.query("nope.default.svc.cluster.local").encoded(), overTCP: false)))
        #expect(missing.rcode == .nameError)
    }

    @Test func anyOtherNameGoesToTheUpstreams() {
        let query = Self.query("example.com")
        #expect(planner.plan(for: query.encoded(), overTCP: false) == .forward(query))
    }

    @Test func anExternalNameIsChasedOnlyWhenThereAreUpstreams() throws {
        let query = Self.query("out.default.svc.cluster.local")
        guard case .chase(let asked, let reply, let target) = planner.plan(for: query.encoded(), overTCP: false) else {
            Issue.record("an ExternalName with upstreams is not chased")
            return
        }
        #expect(asked == query && target == DNSName("db.example.test")!)
        #expect(reply.answers.map(\.data) == [.cname(DNSName("db.example.test")!)])
        // Asked for the CNAME itself, or with nobody to ask: the CNAME alone.
        let cname = try #require(try Self.immediateReply(
            planner.plan(for: Self.query("out.default.svc.cluster.local", .cname).encoded(), overTCP: false)))
        #expect(cname.answers.map(\.type) == [.cname])
        let alone = DNSAnswerPlanner(records: Self.records, canForward: false)
        let unchased = try #require(try Self.immediateReply(alone.plan(for: query.encoded(), overTCP: false)))
        #expect(unchased.answers.map(\.data) == [.cname(DNSName("db.example.test")!)])
    }

    @Test func responsesAndRuntsAreDroppedMalformedQueriesGetFORMERR() throws {
        #expect(planner.plan(for: [0, 1, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0], overTCP: false) == .drop)
        #expect(planner.plan(for: [1, 2, 3], overTCP: false) == .drop)
        // A compression pointer to itself: not parseable, but it carries an id.
        let malformed: [UInt8] = [0xAB, 0xCD, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1]
        let reply = try #require(try Self.immediateReply(planner.plan(for: malformed, overTCP: false)))
        #expect(reply.id == 0xABCD && reply.rcode == .formatError)
    }

    @Test func otherOpcodesAndSeveralQuestionsAreRefusedByCode() throws {
        var notify = Self.query("web.default.svc.cluster.local")
        notify.opcode = 4
        #expect(try Self.immediateReply(planner.plan(for: notify.encoded(), overTCP: false))?.rcode == .notImplemented)
        var two = Self.query("web.default.svc.cluster.local")
        two.questions.append(two.questions[0])
        #expect(try Self.immediateReply(planner.plan(for: two.encoded(), overTCP: false))?.rcode == .formatError)
    }

    @Test func aForwardedQueryRelaysTheUpstreamBytesOrSERVFAIL() throws {
        let query = Self.query("example.com")
        var upstreamReply = query.reply()
        upstreamReply.answers = [DNSResourceRecord(name: query.questions[0].name, ttl: 30, data: .a([192, 0, 2, 1]))]
        let relayed = DNSAnswerPlanner.complete(.forward(query), overTCP: false) { asked in
            #expect(asked == query)
            return (upstreamReply.encoded(), upstreamReply)
        }
        #expect(relayed == upstreamReply.encoded())
        let failed = try DNSMessage(bytes: try #require(DNSAnswerPlanner.complete(.forward(query), overTCP: false) { _ in nil }))
        #expect(failed.id == query.id && failed.rcode == .serverFailure && failed.recursionAvailable)
    }

    @Test func aChasedCNAMEGetsTheUpstreamAnswersForItsTarget() throws {
        let query = Self.query("out.default.svc.cluster.local")
        let plan = planner.plan(for: query.encoded(), overTCP: false)
        var askedFor: [DNSName] = []
        let bytes = try #require(DNSAnswerPlanner.complete(plan, overTCP: false) { asked in
            askedFor.append(asked.questions[0].name)
            var reply = asked.reply()
            reply.answers = [DNSResourceRecord(name: asked.questions[0].name, ttl: 30, data: .a([192, 0, 2, 7]))]
            return (reply.encoded(), reply)
        })
        #expect(askedFor == [DNSName("db.example.test")!])
        let reply = try DNSMessage(bytes: bytes)
        #expect(reply.id == query.id && reply.rcode == .noError)
        #expect(reply.answers.map(\.data) == [.cname(DNSName("db.example.test")!), .a([192, 0, 2, 7])])
        let dead = try DNSMessage(bytes: try #require(DNSAnswerPlanner.complete(plan, overTCP: false) { _ in nil }))
        #expect(dead.rcode == .serverFailure && dead.answers.map(\.type) == [.cname])
    }

    @Test func repliesCarryEDNSAndAreTruncatedToTheClientsUDPSize() throws {
        let endpoints = (1...80).map { DNSServiceRecord.Endpoint(ip: "10.244.1.\($0)") }
        let big = DNSAnswerPlanner(records: ClusterDNSRecords(services: [
            DNSServiceRecord(name: "big", namespace: "default", clusterIP: nil, endpoints: endpoints),
        ]), canForward: false)
        let plain = Self.query("big.default.svc.cluster.local")
        let udp = try #require(try Self.immediateReply(big.plan(for: plain.encoded(), overTCP: false)))
        #expect(udp.truncated && udp.answers.count < 80 && udp.ednsOPT == nil)
        var edns = plain
        edns.additionals = [.opt(payloadSize: 4096)]
        let large = try #require(try Self.immediateReply(big.plan(for: edns.encoded(), overTCP: false)))
        #expect(!large.truncated && large.answers.count == 80)
        #expect(large.ednsOPT?.recordClass.rawValue == DNSAnswerPlanner.ednsPayloadSize)
        let tcp = try #require(try Self.immediateReply(big.plan(for: plain.encoded(), overTCP: true)))
        #expect(!tcp.truncated && tcp.answers.count == 80)
    }
}
