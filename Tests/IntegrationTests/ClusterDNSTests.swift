import Foundation
import Testing
@testable import ClusterDNS
@testable import Kubelet

/// Adds an address to `lo`, so it runs only inside the private namespace that
/// scripts/in-private-ns.sh (and scripts/test.sh) creates, never in the machine's own.
let clusterDNSTestsInPrivateNamespace = isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"

@Suite(.enabled(if: clusterDNSTestsInPrivateNamespace), .serialized) struct ClusterDNSTests {
    static let dnsIP = "10.96.0.10"
    static let upstreamIP = "127.0.0.54"

    static let services = [
        DNSServiceRecord(name: "kube-dns", namespace: "kube-system", clusterIP: dnsIP,
                         ports: [.init(name: "dns", protocol: "UDP", port: 53), .init(name: "dns-tcp", port: 53)]),
        DNSServiceRecord(name: "web", namespace: "default", clusterIP: "10.96.0.20",
                         ports: [.init(name: "http", port: 80)], endpoints: [.init(ip: "10.244.0.5")]),
        DNSServiceRecord(name: "db", namespace: "shop", clusterIP: nil, ports: [.init(name: "pg", port: 5432)],
                         endpoints: [.init(ip: "10.244.0.7", hostname: "db-0")]),
    ]

    /// The cluster DNS at 10.96.0.10:53 on lo, forwarding (per a resolv.conf naming both
    /// itself and the upstream) to a second instance at 127.0.0.54:53 that serves `corp.test`.
    func withClusterDNS(_ body: () throws -> Void) throws {
        try ClusterDNSAddress.add(Self.dnsIP)
        defer { try? ClusterDNSAddress.remove(Self.dnsIP) }
        let upstream = ClusterDNSServer(
            configuration: .init(address: Self.upstreamIP, port: 53),
            records: ClusterDNSRecords(services: [DNSServiceRecord(name: "ldap", namespace: "it", clusterIP: "192.0.2.10")],
                                       clusterDomain: "corp.test"))
        try upstream.start()
        defer { upstream.stop() }

        let dir = NSTemporaryDirectory() + "cluster-dns-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let resolvConf = dir + "/resolv.conf"
        try "nameserver \(Self.dnsIP)\nnameserver \(Self.upstreamIP)\n".write(toFile: resolvConf, atomically: true, encoding: .utf8)
        let configuration = ClusterDNSServer.Configuration.forwardingToResolvConf(address: Self.dnsIP, resolvConfPath: resolvConf)
        #expect(configuration.upstreams == [DNSUpstream(address: Self.upstreamIP)])
        let server = ClusterDNSServer(configuration: configuration, records: ClusterDNSRecords(services: Self.services))
        try server.start()
        defer { server.stop() }
        try body()
    }

    @Test func busyboxNslookupResolvesServicesSRVAndPTRAndForwardsTheRest() throws {
        try withClusterDNS { () throws in
            let a = try nslookup(["web.default.svc.cluster.local"])
            #expect(a.status == 0 && a.output.contains("Address: 10.96.0.20"), "\(a.output)")

            let headless = try nslookup(["db-0.db.shop.svc.cluster.local"])
            #expect(headless.output.contains("Address: 10.244.0.7"), "\(headless.output)")

            let srv = try nslookup(["-type=srv", "_http._tcp.web.default.svc.cluster.local"])
            #expect(srv.output.contains("0 100 80 web.default.svc.cluster.local"), "\(srv.output)")

            let ptr = try nslookup(["10.96.0.20"])
            #expect(ptr.output.contains("name = web.default.svc.cluster.local"), "\(ptr.output)")

            let missing = try nslookup(["nope.default.svc.cluster.local"])
            #expect(missing.status != 0 && missing.output.contains("NXDOMAIN"), "\(missing.output)")

            let forwarded = try nslookup(["ldap.it.svc.corp.test"])
            #expect(forwarded.status == 0 && forwarded.output.contains("Address: 192.0.2.10"), "\(forwarded.output)")
        }
    }

    @Test func aPodStyleResolvConfFindsServicesByShortName() throws {
        try withClusterDNS { () throws in
            // What a pod's resolver does with `web` under `search default.svc.cluster.local …`.
            let conf = PodNetworkFiles.clusterFirstResolvConf(namespace: "default", clusterDNS: Self.dnsIP, nodeResolvConf: "")
            #expect(conf.contains("nameserver 10.96.0.10\n"))
            #expect(conf.contains("search default.svc.cluster.local svc.cluster.local cluster.local\n"))
            #expect(conf.contains("options ndots:5\n"))
            let search = ResolvConf(parsing: conf).search
            let answers = try search.compactMap { domain -> String? in
                let reply = try DNSTestClient.ask("web.\(domain)", .a, port: 53, host: Self.dnsIP)
                return reply.rcode == .noError && !reply.answers.isEmpty ? domain : nil
            }
            #expect(answers == ["default.svc.cluster.local"])
            let tcp = try DNSTestClient.ask("_pg._tcp.db.shop.svc.cluster.local", .srv, port: 53, tcp: true, host: Self.dnsIP)
            #expect(tcp.answers.map(\.data) == [.srv(priority: 0, weight: 100, port: 5432, target: DNSName("db-0.db.shop.svc.cluster.local")!)])
        }
    }

    @Test func glibcInAPodStyleResolvConfResolvesTheShortServiceName() throws {
        try withClusterDNS { () throws in
            let dir = NSTemporaryDirectory() + "pod-resolv-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let conf = PodNetworkFiles.clusterFirstResolvConf(namespace: "default", clusterDNS: Self.dnsIP, nodeResolvConf: "")
            try conf.write(toFile: dir + "/resolv.conf", atomically: true, encoding: .utf8)
            // glibc's stub resolver, in a mount namespace of its own where the pod's
            // resolv.conf covers /etc/resolv.conf, as it is bind-mounted into a container.
            let script = "mount --bind \(dir)/resolv.conf /etc/resolv.conf && getent ahostsv4 web | head -n 1 && getent hosts ldap.it.svc.corp.test"
            let result = try run("/usr/bin/unshare", ["--mount", "--propagation", "private", "sh", "-c", script])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.hasPrefix("10.96.0.20 "), "\(result.output)")
            #expect(result.output.contains("192.0.2.10      ldap.it.svc.corp.test"), "\(result.output)")
        }
    }

    @Test func theDNSAddressIsGoneAfterCleanup() throws {
        try withClusterDNS { () throws in
            #expect(try ip(["-o", "addr", "show", "dev", "lo"]).contains("10.96.0.10/32"))
        }
        #expect(!(try ip(["-o", "addr", "show", "dev", "lo"]).contains("10.96.0.10")))
    }

    private func nslookup(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try run("/usr/bin/busybox", ["nslookup"] + arguments + [Self.dnsIP])
    }

    private func ip(_ arguments: [String]) throws -> String {
        try run("/usr/bin/env", ["ip"] + arguments).output
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A minimal stub resolver: one query over UDP or TCP.
enum DNSTestClient {
    struct NoReply: Error {}

    static func ask(_ name: String, _ type: DNSRecordType, port: UInt16, tcp: Bool = false, host: String) throws -> DNSMessage {
        let query = DNSMessage.query(id: UInt16.random(in: 1...UInt16.max), name: DNSName(name)!, type: type)
        let address = DNSSocketAddress(ip: host, port: port)!
        let fd = try DNSSocket.open(address.family, Int32(tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), address: "\(address)")
        defer { close(fd) }
        let deadline = Date().addingTimeInterval(10)
        guard DNSSocket.connect(fd, to: address, until: deadline) else { throw NoReply() }
        var bytes: [UInt8]?
        if tcp {
            bytes = DNSSocket.writeTCPMessage(fd, query.encoded(), until: deadline) ? DNSSocket.readTCPMessage(fd, until: deadline) : nil
        } else {
            let encoded = query.encoded()
            _ = encoded.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            if DNSSocket.wait(fd, events: Int16(POLLIN), until: deadline) {
                var buffer = [UInt8](repeating: 0, count: 65535)
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                bytes = n > 0 ? Array(buffer[0..<n]) : nil
            }
        }
        guard let bytes else { throw NoReply() }
        let reply = try DNSMessage(bytes: bytes)
        #expect(reply.id == query.id)
        return reply
    }
}
