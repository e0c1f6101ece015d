import Foundation
import Testing

/// `swiftlet run` refuses bad network flags with one line naming the flag, before it
/// touches anything.
@Suite(.enabled(if: isRoot)) struct RunCommandFlagTests {
    @Test(arguments: [
        (["--pod-cidr", "10.244.0.0"], "--pod-cidr must be an IPv4 CIDR of /30 or larger: 10.244.0.0"),
        (["--pod-cidr", "10.244.0.0/31"], "--pod-cidr must be an IPv4 CIDR of /30 or larger: 10.244.0.0/31"),
        (["--pod-cidr", "010.244.0.0/24"], "--pod-cidr must be an IPv4 CIDR of /30 or larger: 010.244.0.0/24"),
        (["--service-cidr", "10.96.0.0/33"], "--service-cidr must be an IPv4 CIDR: 10.96.0.0/33"),
        (["--cluster-dns", "10.96.0"], "--cluster-dns must be an IPv4 address or \"none\": 10.96.0"),
    ])
    func badNetworkFlagsAreRefused(flags: [String], message: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("run-flags-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = runSwiftlet(["run", "--root", root, "--manifests", root + "/manifests"] + flags)
        #expect(run.status != 0)
        #expect(run.stderr.contains("Error: \(message)"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root), "nothing made before the flags are checked")
    }
}
