/// kube-proxy's nftables layout: `CachingNFTablesGenerator` makes the ruleset, `NFTablesApplier`
/// puts it into the kernel as netlink transactions.
public final class NFTablesBackend: ProxyBackend {
    public let generator: CachingNFTablesGenerator
    public let applier: NFTablesApplier

    public init(options: ProxyOptions = ProxyOptions(), applier: NFTablesApplier = NFTablesApplier()) {
        self.generator = CachingNFTablesGenerator(options: options)
        self.applier = applier
    }

    public var mode: ProxyMode { .nftables }

    public func generate(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]]) -> (ruleset: NFTablesRuleset, problems: [String]) {
        let generated = generator.generate(services: services, endpoints: endpoints)
        return (generated.ruleset, generated.problems)
    }

    public func sync(_ ruleset: NFTablesRuleset) throws -> ProxySyncResult { try applier.sync(ruleset) }
    public func fullSync(_ ruleset: NFTablesRuleset) throws -> ProxySyncResult { try applier.fullSync(ruleset) }
    public func invalidate() { applier.invalidate() }
    public func cleanup() throws { try applier.cleanup() }
}
