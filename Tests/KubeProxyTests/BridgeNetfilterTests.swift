import Foundation
import Testing

@testable import KubeProxy

@Suite struct BridgeNetfilterTests {
    func tempProc(withBridgeSysctl: Bool) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kp-proc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/sys/net/ipv4/conf/all", withIntermediateDirectories: true)
        try "0\n".write(toFile: root + "/sys/net/ipv4/conf/all/route_localnet", atomically: false, encoding: .utf8)
        if withBridgeSysctl { try makeBridgeSysctl(root) }
        return root
    }

    func makeBridgeSysctl(_ root: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/sys/net/bridge", withIntermediateDirectories: true)
        try "0\n".write(toFile: root + "/sys/net/bridge/bridge-nf-call-iptables", atomically: false, encoding: .utf8)
    }

    @Test func enablesTheSysctlWithoutLoadingTheModuleWhenPresent() throws {
        let root = try tempProc(withBridgeSysctl: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bridge = BridgeNetfilter(procRoot: root, loadModule: { Issue.record("module load attempted"); return false })
        #expect(!bridge.isEnabled())
        #expect(try bridge.enable() == .enabled)
        #expect(bridge.isEnabled())
        try bridge.enableRouteLocalnet()
        #expect(try String(contentsOfFile: root + "/sys/net/ipv4/conf/all/route_localnet", encoding: .utf8).hasPrefix("1"))
    }

    @Test func loadsTheModuleWhenTheSysctlIsMissing() throws {
        let root = try tempProc(withBridgeSysctl: false)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bridge = BridgeNetfilter(procRoot: root, loadModule: { (try? makeBridgeSysctl(root)) != nil })
        #expect(try bridge.enable() == .enabledAfterLoadingModule)
        #expect(bridge.isEnabled())
    }

    @Test func reportsOneLineWhenTheModuleCannotBeLoaded() throws {
        let root = try tempProc(withBridgeSysctl: false)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bridge = BridgeNetfilter(procRoot: root, loadModule: { false })
        #expect {
            try bridge.enable()
        } throws: { error in
            "\(error)" == "\(root)/sys/net/bridge/bridge-nf-call-iptables: missing and modprobe br_netfilter failed; pods on one bridge cannot reach each other through Services"
        }
    }
}
