import Foundation
import Testing

@testable import KubeProxy

/// A tiny node for proxy tests, built inside the private namespace the test command runs in:
/// a "node" network namespace with a bridge (10.244.0.1/24), a node IP on a veth
/// (192.168.50.10) and a default route through it, and one network namespace per pod, wired
/// to the bridge by a veth with hairpin mode on, each running `busybox httpd` that answers
/// with the pod's name. The proxy's iptables commands run in the node namespace, so nothing
/// here touches the rules of other test suites.
final class KubeProxyTestNode {
    static let nodeIP = "192.168.50.10"
    let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    var node: String { "kpn-\(suffix)" }
    private(set) var pods: [(name: String, namespace: String, ip: String)] = []
    private var servers: [Process] = []
    private let webRoot: String

    init(pods names: [String]) throws {
        webRoot = NSTemporaryDirectory() + "kp-web-\(suffix)"
        do {
            try proxyShell("ip netns add \(node)")
            try inNode("ip link set lo up")
            try inNode("sysctl -qw net.ipv4.ip_forward=1")
            try inNode("ip link add br0 type bridge && ip addr add 10.244.0.1/24 dev br0 && ip link set br0 up")
            // The node IP sits on a veth (no dummy driver on every kernel); its peer stays in the node.
            try inNode("ip link add node0 type veth peer name node0-peer && ip addr add \(Self.nodeIP)/24 dev node0 && ip link set node0-peer up && ip link set node0 up")
            try inNode("ip route add default dev node0")
            for (i, name) in names.enumerated() {
                try addPod(name, ip: "10.244.0.\(11 + i)", port: "veth\(i)")
            }
        } catch {
            destroy()
            throw error
        }
    }

    private func addPod(_ name: String, ip: String, port: String) throws {
        let ns = "kp\(name.suffix(1))-\(suffix)"
        try proxyShell("ip netns add \(ns)")
        pods.append((name, ns, ip))
        try inNode("ip link add \(port) type veth peer name eth0 netns \(ns) && ip link set \(port) master br0 && ip link set \(port) up")
        try BridgeNetfilter.enableHairpin(port: port, networkNamespace: node)
        try proxyShell("ip -n \(ns) link set lo up && ip -n \(ns) addr add \(ip)/24 dev eth0 && ip -n \(ns) link set eth0 up && ip -n \(ns) route add default via 10.244.0.1")
        let dir = webRoot + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try name.write(toFile: dir + "/index.html", atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/ip")
        server.arguments = ["netns", "exec", ns, "/bin/busybox", "httpd", "-f", "-p", "80", "-h", dir]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        servers.append(server)
        // Ready when the pod answers on its own IP.
        for _ in 0..<100 {
            if (try? inNode("curl -s -m 1 http://\(ip)/"))?.output == name { return }
            usleep(50_000)
        }
        throw ProxyError("pod \(name): httpd on \(ip) did not answer")
    }

    /// An executor that runs iptables in the node namespace.
    var iptables: SystemIPTables { SystemIPTables(networkNamespace: node) }

    /// The node's nat and filter tables as iptables-save prints them, without comment lines
    /// and counters.
    func savedTables() throws -> String {
        try inNode("iptables-save -t filter; iptables-save -t nat").output
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.replacingOccurrences(of: #"\[\d+:\d+\]"#, with: "[0:0]", options: .regularExpression) }
            .joined(separator: "\n")
    }

    /// Bodies of `count` HTTP GETs of `url` from the node, one per new connection (failures
    /// are recorded as "failed").
    func fetch(_ url: String, count: Int) throws -> [String] {
        try inNode("for i in $(seq \(count)); do curl -s -m 2 \(url) || printf failed; echo; done").output
            .split(separator: "\n", omittingEmptySubsequences: false).prefix(count).map(String.init)
    }

    /// The same from inside pod `name` (busybox's static wget crashes here; curl needs no files from the pod).
    func fetch(fromPod name: String, _ url: String, count: Int) throws -> [String] {
        let ns = pods.first { $0.name == name }!.namespace
        return try proxyShell("ip netns exec \(ns) sh -c 'for i in $(seq \(count)); do curl -s -m 2 \(url) || printf failed; echo; done'").output
            .split(separator: "\n", omittingEmptySubsequences: false).prefix(count).map(String.init)
    }

    /// curl's exit status for one GET of `url` from the node (7: connection refused).
    func curlStatus(_ url: String) throws -> Int32 {
        try proxyShell("ip netns exec \(node) curl -s -m 2 -o /dev/null \(url)", check: false).status
    }

    @discardableResult
    func inNode(_ command: String) throws -> (status: Int32, output: String) {
        try proxyShell("ip netns exec \(node) sh -c '\(command)'")
    }

    func destroy() {
        for server in servers where server.isRunning {
            // SIGKILL: the runner's threads block most signals and the child inherits that mask.
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        servers = []
        for pod in pods { _ = try? proxyShell("ip netns del \(pod.namespace)", check: false) }
        pods = []
        _ = try? proxyShell("ip netns del \(node)", check: false)
        try? FileManager.default.removeItem(atPath: webRoot)
    }

    deinit { destroy() }
}

/// Runs `command` with /bin/sh; throws with its stderr when `check` and it fails.
@discardableResult
func proxyShell(_ command: String, check: Bool = true) throws -> (status: Int32, output: String) {
    let result = try Command.run("/bin/sh", ["-c", command])
    if check && result.status != 0 {
        throw ProxyError("\(command): exit \(result.status): \(result.stderr)")
    }
    return (result.status, result.stdout)
}

/// The Service both proxy backends' integration tests route: `default/web` on port 80 at
/// `webVIP` (or another name and address), and the test node's pods as its endpoints.
extension KubeProxyTestNode {
    static let webVIP = "10.96.0.20"
}

func webService(_ type: ServiceInfo.ServiceType = .clusterIP, affinity: SessionAffinity = .none,
                name: String = "web", vip: String = KubeProxyTestNode.webVIP, nodePort: Int? = nil) -> ServiceInfo {
    ServiceInfo(namespace: "default", name: name, type: type, clusterIP: vip,
                ports: [ServicePortInfo(name: "http", port: 80, nodePort: nodePort)], sessionAffinity: affinity)
}

func endpoints(_ node: KubeProxyTestNode, notReady: Set<String> = []) -> [EndpointInfo] {
    node.pods.map { EndpointInfo(ip: $0.ip, ports: ["http": 80], ready: !notReady.contains($0.name)) }
}
