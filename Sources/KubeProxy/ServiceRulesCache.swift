import Foundation

/// Remembers each Service's generated part and recomputes only the Services whose spec or
/// endpoints changed. Unchanged Services keep the very same storage, which also makes the
/// appliers' comparisons cheap (arrays sharing a buffer compare equal at once).
final class ServiceRulesCache<Part>: @unchecked Sendable {
    private let lock = NSLock()
    private var cache: [ServiceName: (service: ServiceInfo, endpoints: [EndpointInfo], part: Part)] = [:]

    /// The parts of the non-headless `services`, sorted by name; `make` runs for new or
    /// changed Services only.
    func parts(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]],
               make: (ServiceInfo, [EndpointInfo]) -> Part) -> [(name: ServiceName, part: Part)] {
        lock.lock()
        defer { lock.unlock() }
        var next: [ServiceName: (service: ServiceInfo, endpoints: [EndpointInfo], part: Part)] = [:]
        next.reserveCapacity(services.count)
        var parts: [(name: ServiceName, part: Part)] = []
        parts.reserveCapacity(services.count)
        for service in services.sorted(by: { $0.serviceName < $1.serviceName }) where !service.isHeadless {
            let name = service.serviceName
            let eps = endpoints[name] ?? []
            if let hit = cache[name], hit.service == service, hit.endpoints == eps {
                parts.append((name, hit.part))
                next[name] = hit
            } else {
                let part = make(service, eps)
                parts.append((name, part))
                next[name] = (service, eps, part)
            }
        }
        cache = next
        return parts
    }
}
