/// A `RuleGenerator` that recomputes only the Services whose spec or endpoints changed, so a
/// sync after one change costs little more than the comparison. Output is identical to
/// `RuleGenerator.generate`.
public final class CachingRuleGenerator: Sendable {
    public let generator: RuleGenerator
    private let cache = ServiceRulesCache<ServiceRules>()

    public init(options: ProxyOptions = ProxyOptions()) {
        self.generator = RuleGenerator(options: options)
    }

    /// As `RuleGenerator.generate(services:endpoints:)`.
    public func generate(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]]) -> GeneratedRules {
        generator.assemble(cache.parts(services: services, endpoints: endpoints) { generator.rules(for: $0, endpoints: $1) }.map(\.part))
    }
}
