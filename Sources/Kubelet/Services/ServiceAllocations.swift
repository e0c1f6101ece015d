import Foundation
import KubeAPI
import NetAddress

/// The ClusterIPs and NodePorts given to Services, kept under `--root` so a Service keeps
/// its addresses across agent restarts (the API server's allocators, on one node).
public struct ServiceAllocations: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var clusterIP: String?
        /// NodePort by service port (`name/protocol/port`).
        public var nodePorts: [String: Int]
        /// When the Service was first served: its `metadata.creationTimestamp`, as the API
        /// server sets it once.
        public var creationTimestamp: KubeTime?
    }

    /// By `namespace/name`.
    public var services: [String: Entry] = [:]

    public init() {}

    public static let nodePortRange = 30000...32767
}

/// A Service whose addresses cannot be given, with the reason for the error line.
public struct AllocationError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

/// Gives each Service its ClusterIP and NodePorts, as the API server does: a requested
/// `spec.clusterIP` or `nodePort` is honoured unless taken; otherwise the next free one.
/// Pure: the caller persists the allocations.
public struct ServiceAllocator: Sendable {
    /// The service network, host bits cleared.
    public let serviceCIDR: IPv4Prefix
    /// Addresses never handed out automatically (the cluster DNS address, the network's
    /// first address).
    public let reserved: Set<String>

    public init(serviceCIDR: String, reserved: Set<String> = []) throws {
        guard let prefix = IPv4Prefix(serviceCIDR), (8...30).contains(prefix.length) else {
            throw AllocationError(description: "invalid service CIDR \(serviceCIDR)")
        }
        self.serviceCIDR = prefix.masked
        self.reserved = reserved
    }

    /// Allocates for every Service (in the given order); returns the new allocations, the
    /// Services with their `spec.clusterIP`/`nodePort`s and creation time filled in, and one
    /// error per Service that could not be served. Allocations of Services that are gone are
    /// released. A Service first served now is stamped `now`.
    public func allocate(_ services: [Service], previous: ServiceAllocations, now: KubeTime = .now()) -> (ServiceAllocations, [Service], [String]) {
        var result = ServiceAllocations()
        var errors: [String] = []
        var usedIPs = Set<String>()
        var usedPorts = Set<Int>()
        var out: [Service] = []
        func key(_ service: Service) -> String { "\(service.metadata.namespaceOrDefault)/\(service.metadata.name ?? "")" }
        // The error line's subject: the manifest file, when known, and the Service.
        func subject(_ service: Service) -> String {
            let file = service.metadata.annotations?[StaticPods.sourceAnnotation].map { ($0 as NSString).lastPathComponent + ": " }
            return (file ?? "") + "Service \(key(service))"
        }
        func portKey(_ port: ServicePort) -> String { "\(port.name ?? "")/\(port.protocol?.rawValue ?? "TCP")/\(port.port)" }
        // First come, first served, as the API server: Services that already hold their
        // address keep it (and their NodePorts), then explicit requests, which so win only
        // against new automatic allocations, then the rest.
        func holdsItsAddress(_ service: Service) -> Bool {
            guard let kept = previous.services[key(service)]?.clusterIP else { return false }
            return requestedIP(service).map { $0 == kept } ?? true
        }
        let holding = services.filter(holdsItsAddress)
        let rest = services.filter { !holdsItsAddress($0) }
        let ordered = holding + rest.filter { requestedIP($0) != nil } + rest.filter { requestedIP($0) == nil }
        var accepted: [String: Service] = [:]
        for service in ordered {
            var service = service
            let name = key(service)
            var entry = ServiceAllocations.Entry(clusterIP: nil, nodePorts: [:],
                                                 creationTimestamp: previous.services[name]?.creationTimestamp ?? now)
            if !service.spec.isHeadless {
                if let requested = requestedIP(service) {
                    guard inRange(requested) else {
                        errors.append("\(subject(service)): spec.clusterIP: Invalid value: \"\(requested)\": provided IP is not in the valid range \(serviceCIDR)")
                        continue
                    }
                    guard !usedIPs.contains(requested) else {
                        errors.append("\(subject(service)): spec.clusterIP: Invalid value: \"\(requested)\": provided IP is already allocated")
                        continue
                    }
                    entry.clusterIP = requested
                } else if let kept = previous.services[name]?.clusterIP, !usedIPs.contains(kept), inRange(kept) {
                    entry.clusterIP = kept
                } else {
                    guard let free = automaticAddresses.first(where: { !usedIPs.contains($0) && !reserved.contains($0) && !previous.isHeld($0, except: name) }) else {
                        errors.append("\(subject(service)): spec.clusterIP: failed to allocate an IP: the range \(serviceCIDR) is full")
                        continue
                    }
                    entry.clusterIP = free
                }
                usedIPs.insert(entry.clusterIP!)
            }
            let type = service.spec.type ?? .clusterIP
            if type == .nodePort || type == .loadBalancer {
                var ports = service.spec.ports ?? []
                for index in ports.indices {
                    let port = ports[index]
                    let wanted = port.nodePort ?? previous.services[name]?.nodePorts[portKey(port)]
                    let chosen: Int?
                    if let wanted, ServiceAllocations.nodePortRange.contains(wanted), !usedPorts.contains(wanted) {
                        chosen = wanted
                    } else if port.nodePort != nil {
                        errors.append("\(subject(service)): spec.ports[\(index)].nodePort: Invalid value: \(port.nodePort!): provided port is already allocated or out of range")
                        chosen = nil
                    } else {
                        chosen = ServiceAllocations.nodePortRange.first { !usedPorts.contains($0) && !previous.isPortHeld($0, except: name) }
                    }
                    if let chosen {
                        usedPorts.insert(chosen)
                        entry.nodePorts[portKey(port)] = chosen
                        ports[index].nodePort = chosen
                    }
                }
                service.spec.ports = ports
            }
            if let ip = entry.clusterIP { service.spec.clusterIP = ip; service.spec.clusterIPs = [ip] }
            service.metadata.creationTimestamp = entry.creationTimestamp
            result.services[name] = entry
            accepted[name] = service
        }
        // Keep the caller's order.
        for service in services { if let done = accepted[key(service)] { out.append(done) } }
        return (result, out, errors)
    }

    func inRange(_ ip: String) -> Bool { IPv4Address(ip).map(serviceCIDR.contains) ?? false }

    /// The addresses handed out automatically: the network's hosts but the first (kept, as
    /// the API server keeps it for the `kubernetes` Service).
    var automaticAddresses: LazyMapSequence<Slice<ClosedRange<IPv4Address>>, String> {
        serviceCIDR.hosts.dropFirst().lazy.map(\.description)
    }

    func requestedIP(_ service: Service) -> String? {
        service.spec.virtualIP
    }
}

extension ServiceAllocations {
    /// Whether another Service held `ip` before this pass (so it is not handed to a newcomer
    /// while its owner is still being processed).
    func isHeld(_ ip: String, except name: String) -> Bool {
        services.contains { $0.key != name && $0.value.clusterIP == ip }
    }

    func isPortHeld(_ port: Int, except name: String) -> Bool {
        services.contains { $0.key != name && $0.value.nodePorts.values.contains(port) }
    }
}
