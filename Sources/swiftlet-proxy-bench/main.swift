// Benchmark driver for scripts/bench/kubeproxy.sh: generates and applies synthetic Services in
// the network namespace it runs in, and prints one tab-separated result row. Not installed.
//
// swiftlet-proxy-bench --services N [--endpoints 3] [--variant system|nft|legacy|nftables]
//     [--chains-per-commit 400] [--repeat 5] [--latency-backend IP:PORT --samples 200]
import Foundation
import KubeProxy
import Logging

#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var services = 1000
    var endpoints = 3
    var variant = SystemIPTables.Variant.system
    /// `--variant nftables`: the netlink nf_tables backend instead of an iptables one.
    var nftables = false
    var chainsPerCommit = 400
    var repeats = 5
    var latencyBackend: (ip: String, port: UInt16)?
    var samples = 200
}

func parse() -> Options {
    var options = Options()
    var args = CommandLine.arguments.dropFirst().makeIterator()
    func value(_ flag: String) -> String {
        guard let v = args.next() else { fail("\(flag) needs a value") }
        return v
    }
    while let arg = args.next() {
        switch arg {
        case "--services": options.services = Int(value(arg)) ?? 0
        case "--endpoints": options.endpoints = Int(value(arg)) ?? 0
        case "--chains-per-commit": options.chainsPerCommit = Int(value(arg)) ?? 0
        case "--repeat": options.repeats = Int(value(arg)) ?? 0
        case "--samples": options.samples = Int(value(arg)) ?? 0
        case "--variant":
            let name = value(arg)
            if name == "nftables" {
                options.nftables = true
                continue
            }
            guard let v = ["system": SystemIPTables.Variant.system, "nft": .nft, "legacy": .legacy][name] else {
                fail("--variant: \"\(name)\" is not system, nft, legacy or nftables")
            }
            options.variant = v
        case "--latency-backend":
            let text = value(arg)
            let parts = text.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]) else { fail("--latency-backend: \"\(text)\" is not IP:PORT") }
            options.latencyBackend = (String(parts[0]), port)
        default: fail("unknown argument \(arg)")
        }
    }
    guard options.services > 0, options.endpoints > 0, options.repeats > 0, options.samples > 0, options.chainsPerCommit > 0 else {
        fail("--services, --endpoints, --repeat, --samples and --chains-per-commit must be positive")
    }
    return options
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("swiftlet-proxy-bench: \(message)\n".utf8))
    exit(2)
}

func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

let options = parse()
if ProcessInfo.processInfo.environment["SWIFTLET_BENCH_DEBUG"] == "1" {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = .trace
        return handler
    }
}
let clock = ContinuousClock()

func ip(_ a: Int, _ i: Int) -> String { "10.\(a).\((i >> 8) & 255).\(i & 255)" }

var services: [ServiceInfo] = []
var endpoints: [ServiceName: [EndpointInfo]] = [:]
for i in 0..<options.services {
    let name = String(format: "svc-%05d", i)
    services.append(ServiceInfo(namespace: "bench", name: name, clusterIP: "10.96.\(i >> 8).\(i & 255)",
                                ports: [ServicePortInfo(name: "http", port: 80)]))
    endpoints[ServiceName(namespace: "bench", name: name)] = (0..<options.endpoints).map {
        EndpointInfo(ip: ip(100 + $0, i), ports: ["http": 8080])
    }
}
// The Service latency is measured through: last in KUBE-SERVICES, the worst case of its scan.
let latencyVIP = "10.97.0.1"
if let backend = options.latencyBackend {
    services.append(ServiceInfo(namespace: "bench", name: "zz-web", clusterIP: latencyVIP,
                                ports: [ServicePortInfo(name: "http", port: Int(backend.port))]))
    endpoints[ServiceName(namespace: "bench", name: "zz-web")] = [EndpointInfo(ip: backend.ip, ports: ["http": Int(backend.port)])]
}

/// Measures one backend the way the kubelet drives it: generate through its caching
/// generator, then apply; prints the result row.
func measure<Backend: ProxyBackend>(_ backend: Backend, name: String) {
    var ruleset: Backend.Ruleset?
    func generate() {
        let result = backend.generate(services: services, endpoints: endpoints)
        if let problem = result.problems.first { fail(problem) }
        ruleset = result.ruleset
    }
    func sync() throws { _ = try backend.sync(ruleset!) }
    do {
        let genTime = ms(clock.measure { generate() })
        let fullTime = ms(try clock.measure { try sync() })
        backend.invalidate()
        let resyncTime = ms(try clock.measure { _ = try backend.fullSync(ruleset!) })

        // One Service's endpoints change (a pod replaced), one Service added, then removed again.
        var genIncremental: [Double] = [], endpointChange: [Double] = [], add: [Double] = [], remove: [Double] = []
        let changed = ServiceName(namespace: "bench", name: String(format: "svc-%05d", options.services / 2))
        let original = endpoints[changed]!
        let extra = ServiceInfo(namespace: "bench", name: "added", clusterIP: "10.97.0.2", ports: [ServicePortInfo(name: "http", port: 80)])
        for round in 0..<options.repeats {
            endpoints[changed] = original.dropLast() + [EndpointInfo(ip: ip(200, round), ports: ["http": 8080])]
            genIncremental.append(ms(clock.measure { generate() }))
            endpointChange.append(ms(try clock.measure { try sync() }))
            services.append(extra)
            endpoints[extra.serviceName] = [EndpointInfo(ip: ip(201, round), ports: ["http": 8080])]
            generate()
            add.append(ms(try clock.measure { try sync() }))
            services.removeLast()
            endpoints[extra.serviceName] = nil
            generate()
            remove.append(ms(try clock.measure { try sync() }))
        }

        var latency = "-\t-"
        if let backend = options.latencyBackend {
            var viaVIP: [Double] = [], direct: [Double] = []
            for _ in 0..<options.samples {
                guard let v = connectMicros(latencyVIP, backend.port), let d = connectMicros(backend.ip, backend.port) else {
                    fail("cannot connect to \(latencyVIP):\(backend.port) or \(backend.ip):\(backend.port)")
                }
                viaVIP.append(v)
                direct.append(d)
            }
            latency = String(format: "%.0f\t%.0f", median(viaVIP), median(direct))
        }
        let cleanupTime = ms(try clock.measure { try backend.cleanup() })
        print(String(format: "%@\t%d\t%.0f\t%.0f\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%@",
                     name, options.services,
                     genTime, fullTime, resyncTime, median(genIncremental), median(endpointChange), median(add), median(remove),
                     cleanupTime, latency))
    } catch {
        try? backend.cleanup()
        fail("\(error)")
    }
}

let proxyOptions = ProxyOptions(clusterCIDR: "10.244.0.0/16")
if options.nftables {
    measure(NFTablesBackend(options: proxyOptions), name: "nftables")
} else {
    let applier = ProxyApplier(executor: SystemIPTables(variant: options.variant), chainsPerCommit: options.chainsPerCommit)
    measure(IPTablesBackend(options: proxyOptions, applier: applier),
            name: options.variant == .system ? "system" : String(options.variant.rawValue.dropFirst()))
}

/// Time for a TCP connect to complete (the first packet of a connection is what walks the
/// nat rules), in microseconds; nil when it fails.
func connectMicros(_ address: String, _ port: UInt16) -> Double? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    guard inet_pton(AF_INET, address, &addr.sin_addr) == 1 else { return nil }
    let start = clock.now
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    let elapsed = start.duration(to: clock.now)
    return rc == 0 ? ms(elapsed) * 1000 : nil
}
