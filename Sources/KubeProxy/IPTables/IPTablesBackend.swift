/// kube-proxy's iptables layout: `CachingRuleGenerator` makes the ruleset, `ProxyApplier`
/// puts it into the kernel with iptables-restore.
public final class IPTablesBackend: ProxyBackend {
    public let generator: CachingRuleGenerator
    public let applier: ProxyApplier

    public init(options: ProxyOptions = ProxyOptions(), applier: ProxyApplier = ProxyApplier()) {
        self.generator = CachingRuleGenerator(options: options)
        self.applier = applier
    }

    public var mode: ProxyMode { .iptables }

    public func generate(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]]) -> (ruleset: Ruleset, problems: [String]) {
        let generated = generator.generate(services: services, endpoints: endpoints)
        return (generated.ruleset, generated.problems)
    }

    public func sync(_ ruleset: Ruleset) throws -> ProxySyncResult { try applier.sync(ruleset) }
    public func fullSync(_ ruleset: Ruleset) throws -> ProxySyncResult { try applier.fullSync(ruleset) }
    public func invalidate() { applier.invalidate() }
    public func cleanup() throws { try applier.cleanup() }
}
