import Foundation

/// A `RuleGenerator` that remembers each Service's rules and recomputes only the Services
/// whose spec or endpoints changed, so a sync after one change costs little more than the
/// comparison. Unchanged Services keep the very same rule storage, which also makes the
/// applier's chain comparison cheap. Output is identical to `RuleGenerator.generate`.
public final class CachingRuleGenerator: @unchecked Sendable {
    public let generator: RuleGenerator
    private let lock = NSLock()
    private var cache: [ServiceName: (service: ServiceInfo, endpoints: [EndpointInfo], rules: ServiceRules)] = [:]

    public init(options: ProxyOptions = ProxyOptions()) {
        self.generator = RuleGenerator(options: options)
    }

    /// As `RuleGenerator.generate(services:endpoints:)`.
    public func generate(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]]) -> GeneratedRules {
        lock.lock()
        defer { lock.unlock() }
        var next: [ServiceName: (service: ServiceInfo, endpoints: [EndpointInfo], rules: ServiceRules)] = [:]
        next.reserveCapacity(services.count)
        var parts: [ServiceRules] = []
        parts.reserveCapacity(services.count)
        for service in services.sorted(by: { $0.serviceName < $1.serviceName }) where !service.isHeadless {
            let name = service.serviceName
            let eps = endpoints[name] ?? []
            if let hit = cache[name], hit.service == service, hit.endpoints == eps {
                parts.append(hit.rules)
                next[name] = hit
            } else {
                let rules = generator.rules(for: service, endpoints: eps)
                parts.append(rules)
                next[name] = (service, eps, rules)
            }
        }
        cache = next
        return generator.assemble(parts)
    }
}
