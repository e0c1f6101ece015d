import Foundation
import NetAddress
import Testing

@testable import CNI

@Suite struct HostLocalIPAMTests {
    let dir: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cni-ipam-\(UUID().uuidString)").path
    }

    func ipam(_ ranges: String = #"[[{"subnet":"10.245.10.0/24"}]]"#) throws -> HostLocalIPAM {
        let config = try HostLocalConfig(
            ipam: JSONValue.parse(#"{"type":"host-local","ranges":\#(ranges),"dataDir":"\#(dir)"}"#))
        return HostLocalIPAM(config: config, network: "testnet")
    }

    func file(_ name: String) -> String? {
        try? String(contentsOfFile: "\(dir)/testnet/\(name)", encoding: .utf8)
    }

    @Test func writesTheReferenceHostLocalLayout() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try ipam().allocate(containerID: "abc", ifName: "eth0", cniVersion: "1.0.0")
        #expect(result.ips == [CNIResult.IPConfig(address: "10.245.10.2/24", gateway: "10.245.10.1")])
        #expect(file("10.245.10.2") == "abc\r\neth0")
        #expect(file("last_reserved_ip.0") == "10.245.10.2")
        #expect(FileManager.default.fileExists(atPath: "\(dir)/testnet/lock"))
    }

    @Test func allocatesRoundRobinAndReleasesIdempotently() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ipam = try ipam()
        _ = try ipam.allocate(containerID: "a", ifName: "eth0", cniVersion: "1.0.0")
        _ = try ipam.allocate(containerID: "b", ifName: "eth0", cniVersion: "1.0.0")
        #expect(try ipam.release(containerID: "a", ifName: "eth0").map(\.description) == ["10.245.10.2"])
        #expect(try ipam.release(containerID: "a", ifName: "eth0").isEmpty)
        // The freed .2 is not reused until the range wraps around.
        let c = try ipam.allocate(containerID: "c", ifName: "eth0", cniVersion: "1.0.0")
        #expect(c.ips.first?.address == "10.245.10.4/24")
        #expect(file("10.245.10.2") == nil)
    }

    @Test func refusesASecondAllocationForTheSameAttachment() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ipam = try ipam()
        _ = try ipam.allocate(containerID: "a", ifName: "eth0", cniVersion: "1.0.0")
        let error = #expect(throws: CNIError.self) {
            try ipam.allocate(containerID: "a", ifName: "eth0", cniVersion: "1.0.0")
        }
        #expect(error?.code == 101)
        // Another interface of the same container is another attachment.
        #expect(try ipam.allocate(containerID: "a", ifName: "net1", cniVersion: "1.0.0").ips.count == 1)
    }

    @Test func aFullPoolIsErrorHundred() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ipam = try ipam(#"[[{"subnet":"10.245.11.0/24","rangeStart":"10.245.11.2","rangeEnd":"10.245.11.3"}]]"#)
        _ = try ipam.allocate(containerID: "a", ifName: "eth0", cniVersion: "1.0.0")
        _ = try ipam.allocate(containerID: "b", ifName: "eth0", cniVersion: "1.0.0")
        let error = #expect(throws: CNIError.self) {
            try ipam.allocate(containerID: "c", ifName: "eth0", cniVersion: "1.0.0")
        }
        #expect(error?.code == 100)
        #expect(error?.msg == "no IP addresses available in range set 10.245.11.2-10.245.11.3")
    }

    @Test func honoursARequestedAddress() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ipam = try ipam()
        let r = try ipam.allocate(
            containerID: "a", ifName: "eth0", requested: [IPv4Address("10.245.10.50")!], cniVersion: "1.0.0")
        #expect(r.ips.first?.address == "10.245.10.50/24")
        let error = #expect(throws: CNIError.self) {
            try ipam.allocate(
                containerID: "b", ifName: "eth0", requested: [IPv4Address("10.245.10.50")!], cniVersion: "1.0.0")
        }
        #expect(error?.code == 101)
    }

    @Test func garbageCollectionFreesOnlyTheAttachmentsNotListed() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ipam = try ipam()
        for id in ["keep", "stale1", "stale2"] {
            _ = try ipam.allocate(containerID: id, ifName: "eth0", cniVersion: "1.1.0")
        }
        var sawEmpty = true
        let freed = try ipam.collectGarbage(valid: [.init(containerID: "keep", ifName: "eth0")]) { _, empty in
            sawEmpty = empty
        }
        #expect(freed.map(\.id).sorted() == ["stale1", "stale2"])
        #expect(!sawEmpty)
        #expect(try ipam.addresses(containerID: "keep", ifName: "eth0").map(\.description) == ["10.245.10.2"])
        #expect(file("10.245.10.3") == nil && file("10.245.10.4") == nil)
    }

    @Test func resolvConfBecomesTheResultDNS() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dns = HostLocalConfig.dns(
            fromResolvConf: """
                # generated
                nameserver 10.96.0.10
                nameserver 1.1.1.1
                domain cluster.local
                search default.svc.cluster.local svc.cluster.local
                options ndots:5 timeout:1
                """)
        #expect(
            dns.serialized()
                == #"{"nameservers":["10.96.0.10","1.1.1.1"],"domain":"cluster.local","search":["default.svc.cluster.local","svc.cluster.local"],"options":["ndots:5","timeout:1"]}"#
        )
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "nameserver 10.96.0.10\n".write(toFile: "\(dir)/resolv.conf", atomically: true, encoding: .utf8)
        let config = try HostLocalConfig(
            ipam: JSONValue.parse(
                #"{"type":"host-local","subnet":"10.245.12.0/24","dataDir":"\#(dir)","resolvConf":"\#(dir)/resolv.conf"}"#
            ))
        let result = try HostLocalIPAM(config: config, network: "dns").allocate(
            containerID: "a", ifName: "eth0", cniVersion: "1.0.0")
        #expect(result.dns.serialized() == #"{"nameservers":["10.96.0.10"]}"#)
    }

    @Test func concurrentAllocationsGetDistinctAddresses() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ipam = try ipam()
        let results = LockedArray()
        DispatchQueue.concurrentPerform(iterations: 20) { i in
            let r = try? ipam.allocate(containerID: "c\(i)", ifName: "eth0", cniVersion: "1.0.0")
            results.append(r?.ips.first?.address ?? "failed")
        }
        #expect(Set(results.values).count == 20)
        #expect(!results.values.contains("failed"))
    }
}

final class LockedArray: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ s: String) { lock.withLock { storage.append(s) } }
    var values: [String] { lock.withLock { storage } }
}
