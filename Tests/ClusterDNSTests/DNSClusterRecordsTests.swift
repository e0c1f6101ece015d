import Testing
@testable import ClusterDNS

@Suite struct DNSClusterRecordsTests {
    static let services = [
        DNSServiceRecord(name: "web", namespace: "default", clusterIP: "10.96.0.20",
                         ports: [.init(name: "http", protocol: "TCP", port: 80), .init(name: "", port: 8080)],
                         endpoints: [.init(ip: "10.244.0.5")]),
        DNSServiceRecord(name: "db", namespace: "shop", clusterIP: nil,
                         ports: [.init(name: "pg", protocol: "TCP", port: 5432)],
                         endpoints: [.init(ip: "10.244.0.7", hostname: "db-0"), .init(ip: "10.244.0.8"),
                                     .init(ip: "10.244.0.9", ready: false)]),
        DNSServiceRecord(name: "v6", namespace: "default", clusterIP: "fd00:96::30",
                         ports: [.init(name: "dns", protocol: "UDP", port: 53)]),
        DNSServiceRecord(name: "search", namespace: "default", clusterIP: nil, externalName: "search.example.com"),
        DNSServiceRecord(name: "alias", namespace: "default", clusterIP: nil, externalName: "web.default.svc.cluster.local"),
        DNSServiceRecord(name: "kube-dns", namespace: "kube-system", clusterIP: "10.96.0.10",
                         ports: [.init(name: "dns", protocol: "UDP", port: 53)]),
    ]
    let table = ClusterDNSRecords(services: services, serial: 42)

    func ask(_ name: String, _ type: DNSRecordType) -> DNSMessage? {
        table.answer(DNSMessage.query(id: 77, name: DNSName(name)!, type: type))
    }

    /// Answers as dig would print them: `name ttl type data`.
    func lines(_ records: [DNSResourceRecord]) -> [String] {
        records.map { record in
            let data: String
            switch record.data {
            case .a(let b): data = b.map(String.init).joined(separator: ".")
            case .aaaa(let b): data = "\(b.count) bytes"
            case .cname(let n), .ptr(let n), .ns(let n): data = n.description
            case .srv(let p, let w, let port, let t): data = "\(p) \(w) \(port) \(t)"
            case .soa(let s): data = "\(s.primaryNameServer) \(s.mailbox) \(s.serial) \(s.refresh) \(s.retry) \(s.expire) \(s.minimumTTL)"
            case .txt(let t): data = t.map { "\"\(String(decoding: $0, as: UTF8.self))\"" }.joined(separator: " ")
            case .other(let type, _): data = "\(type)"
            }
            return "\(record.name) \(record.ttl) \(record.type) \(data)"
        }
    }

    static let soaLine = "cluster.local. 5 SOA ns.dns.cluster.local. hostmaster.cluster.local. 42 7200 1800 86400 5"

    @Test func aServiceNameResolvesToItsClusterIPAuthoritatively() throws {
        let reply = try #require(ask("web.default.svc.cluster.local", .a))
        #expect(reply.id == 77 && reply.isResponse && reply.authoritative && reply.rcode == .noError)
        #expect(lines(reply.answers) == ["web.default.svc.cluster.local. 5 A 10.96.0.20"])
        #expect(reply.authorities.isEmpty)
    }

    @Test func theAnswerKeepsTheSpellingOfTheQuestion() throws {
        let reply = try #require(ask("WEB.Default.svc.cluster.local", .a))
        #expect(lines(reply.answers) == ["WEB.Default.svc.cluster.local. 5 A 10.96.0.20"])
    }

    @Test func anIPv6ClusterIPIsAnAAAARecordAndAQueryForAIsNoData() throws {
        let v6 = try #require(ask("v6.default.svc.cluster.local", .aaaa))
        #expect(v6.answers.map(\.data) == [.aaaa([0xfd, 0, 0, 0x96] + Array(repeating: 0, count: 11) + [0x30])])
        let noA = try #require(ask("v6.default.svc.cluster.local", .a))
        #expect(noA.rcode == .noError && noA.answers.isEmpty)
        #expect(lines(noA.authorities) == [Self.soaLine])
    }

    @Test func aHeadlessServiceResolvesToItsReadyEndpointsAndEachEndpointByName() throws {
        let all = try #require(ask("db.shop.svc.cluster.local", .a))
        #expect(lines(all.answers) == ["db.shop.svc.cluster.local. 5 A 10.244.0.7", "db.shop.svc.cluster.local. 5 A 10.244.0.8"])
        let byHostname = try #require(ask("db-0.db.shop.svc.cluster.local", .a))
        #expect(lines(byHostname.answers) == ["db-0.db.shop.svc.cluster.local. 5 A 10.244.0.7"])
        let byAddress = try #require(ask("10-244-0-8.db.shop.svc.cluster.local", .a))
        #expect(lines(byAddress.answers) == ["10-244-0-8.db.shop.svc.cluster.local. 5 A 10.244.0.8"])
        // The endpoint that is not ready is not published.
        #expect(ask("10-244-0-9.db.shop.svc.cluster.local", .a)?.rcode == .nameError)
    }

    @Test func namedPortsHaveSRVRecordsTargetingTheServiceWithItsAddressAsExtra() throws {
        let reply = try #require(ask("_http._tcp.web.default.svc.cluster.local", .srv))
        #expect(lines(reply.answers) == ["_http._tcp.web.default.svc.cluster.local. 5 SRV 0 100 80 web.default.svc.cluster.local."])
        #expect(lines(reply.additionals) == ["web.default.svc.cluster.local. 5 A 10.96.0.20"])
        let udp = try #require(ask("_dns._udp.kube-dns.kube-system.svc.cluster.local", .srv))
        #expect(lines(udp.answers) == ["_dns._udp.kube-dns.kube-system.svc.cluster.local. 5 SRV 0 100 53 kube-dns.kube-system.svc.cluster.local."])
        // Wrong protocol: no such name.
        #expect(ask("_http._udp.web.default.svc.cluster.local", .srv)?.rcode == .nameError)
        // SRV at the Service name lists every port, unnamed ones too.
        let bare = try #require(ask("web.default.svc.cluster.local", .srv))
        #expect(lines(bare.answers) == ["web.default.svc.cluster.local. 5 SRV 0 100 80 web.default.svc.cluster.local.",
                                        "web.default.svc.cluster.local. 5 SRV 0 100 8080 web.default.svc.cluster.local."])
    }

    @Test func headlessSRVRecordsTargetEachReadyEndpointWithTheWeightSpread() throws {
        let reply = try #require(ask("_pg._tcp.db.shop.svc.cluster.local", .srv))
        #expect(lines(reply.answers) == [
            "_pg._tcp.db.shop.svc.cluster.local. 5 SRV 0 50 5432 db-0.db.shop.svc.cluster.local.",
            "_pg._tcp.db.shop.svc.cluster.local. 5 SRV 0 50 5432 10-244-0-8.db.shop.svc.cluster.local.",
        ])
        #expect(lines(reply.additionals) == ["db-0.db.shop.svc.cluster.local. 5 A 10.244.0.7",
                                             "10-244-0-8.db.shop.svc.cluster.local. 5 A 10.244.0.8"])
    }

    @Test func ptrRecordsNameServiceIPsAndHeadlessEndpoints() throws {
        let service = try #require(ask("20.0.96.10.in-addr.arpa", .ptr))
        #expect(lines(service.answers) == ["20.0.96.10.in-addr.arpa. 5 PTR web.default.svc.cluster.local."])
        let endpoint = try #require(ask("7.0.244.10.in-addr.arpa", .ptr))
        #expect(lines(endpoint.answers) == ["7.0.244.10.in-addr.arpa. 5 PTR db-0.db.shop.svc.cluster.local."])
        let v6 = try #require(ask("0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.0.d.f.ip6.arpa", .ptr))
        #expect(lines(v6.answers).first?.hasSuffix("PTR v6.default.svc.cluster.local.") == true)
        // Unknown addresses fall through to the upstream resolvers, as CoreDNS's default Corefile does.
        #expect(ask("1.2.0.192.in-addr.arpa", .ptr) == nil)
    }

    @Test func unknownNamesInTheClusterDomainAreNXDOMAINWithTheSOA() throws {
        for name in ["nope.default.svc.cluster.local", "web.nope.svc.cluster.local", "x.web.default.svc.cluster.local",
                     "web.default.svc.cluster.local.default.svc.cluster.local", "foo.cluster.local"] {
            let reply = try #require(ask(name, .a))
            #expect(reply.rcode == .nameError, "\(name)")
            #expect(reply.authoritative && reply.answers.isEmpty)
            #expect(lines(reply.authorities) == [Self.soaLine])
        }
    }

    @Test func intermediateNamesExistWithoutData() throws {
        for name in ["svc.cluster.local", "default.svc.cluster.local", "pod.cluster.local", "_tcp.web.default.svc.cluster.local"] {
            let reply = try #require(ask(name, .a))
            #expect(reply.rcode == .noError && reply.answers.isEmpty, "\(name)")
            #expect(lines(reply.authorities) == [Self.soaLine])
        }
    }

    @Test func theApexHasSOAAndNSAndTheSchemaVersion() throws {
        #expect(lines(try #require(ask("cluster.local", .soa)).answers) == [Self.soaLine])
        #expect(lines(try #require(ask("cluster.local", .ns)).answers) == ["cluster.local. 5 NS ns.dns.cluster.local."])
        #expect(lines(try #require(ask("ns.dns.cluster.local", .a)).answers) == ["ns.dns.cluster.local. 5 A 10.96.0.10"])
        #expect(lines(try #require(ask("dns-version.cluster.local", .txt)).answers) == ["dns-version.cluster.local. 28800 TXT \"1.1.0\""])
    }

    @Test func podNamesSpellTheirAddress() throws {
        #expect(lines(try #require(ask("10-244-1-9.default.pod.cluster.local", .a)).answers)
                == ["10-244-1-9.default.pod.cluster.local. 5 A 10.244.1.9"])
        #expect(try #require(ask("fd00--9.any.pod.cluster.local", .aaaa)).answers.map(\.type) == [.aaaa])
        #expect(ask("10-244-1-999.default.pod.cluster.local", .a)?.rcode == .nameError)
        #expect(ask("10-244-1-9.default.pod.cluster.local", .aaaa)?.answers.isEmpty == true)
    }

    @Test func externalNameServicesAreCNAMEsFollowedInsideTheCluster() throws {
        #expect(lines(try #require(ask("search.default.svc.cluster.local", .a)).answers)
                == ["search.default.svc.cluster.local. 5 CNAME search.example.com."])
        #expect(lines(try #require(ask("alias.default.svc.cluster.local", .a)).answers)
                == ["alias.default.svc.cluster.local. 5 CNAME web.default.svc.cluster.local.",
                    "web.default.svc.cluster.local. 5 A 10.96.0.20"])
    }

    @Test func namesOutsideTheClusterAreLeftToTheUpstreams() {
        #expect(ask("example.com", .a) == nil)
        #expect(ask("local", .a) == nil)
    }

    @Test func anotherClusterDomainIsHonoured() throws {
        let custom = ClusterDNSRecords(services: Self.services, clusterDomain: "k8s.internal")
        let reply = try #require(custom.answer(DNSMessage.query(id: 1, name: DNSName("web.default.svc.k8s.internal")!, type: .a)))
        #expect(reply.answers.map(\.data) == [.a([10, 96, 0, 20])])
        #expect(custom.answer(DNSMessage.query(id: 1, name: DNSName("web.default.svc.cluster.local")!, type: .a)) == nil)
    }

    @Test func badServiceDataIsReportedNamingTheService() {
        let bad = ClusterDNSRecords(services: [
            DNSServiceRecord(name: "web", namespace: "default", clusterIP: "10.96.0.300"),
            DNSServiceRecord(name: "h", namespace: "default", clusterIP: nil, endpoints: [.init(ip: "pod-a")]),
            DNSServiceRecord(name: "a.b", namespace: "default", clusterIP: "10.96.0.1"),
        ])
        #expect(bad.problems == [
            "service default/a.b: name is not a DNS label",
            "service default/h: endpoint ip \"pod-a\" is not an IP address",
            "service default/web: clusterIP \"10.96.0.300\" is not an IP address",
        ])
    }
}
