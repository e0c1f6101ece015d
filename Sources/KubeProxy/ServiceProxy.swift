import Logging

/// The proxy as the kubelet drives it: on every change of Services or endpoints, regenerate
/// the rules and apply what changed. Services with invalid fields are logged and left out.
public final class ServiceProxy: Sendable {
    public let generator: CachingRuleGenerator
    public let applier: ProxyApplier
    private let logger: Logger

    public init(options: ProxyOptions, applier: ProxyApplier = ProxyApplier(),
                logger: Logger = Logger(label: "swiftlet.kubeproxy")) {
        self.generator = CachingRuleGenerator(options: options)
        self.applier = applier
        self.logger = logger
    }

    /// Brings the kernel's rules in line with `services` and their `endpoints`; returns the
    /// generation problems (one line per skipped Service) with what the sync did.
    @discardableResult
    public func sync(services: [ServiceInfo], endpoints: [ServiceName: [EndpointInfo]]) throws
        -> (result: ProxyApplier.SyncResult, problems: [String])
    {
        let generated = generator.generate(services: services, endpoints: endpoints)
        for problem in generated.problems { logger.warning("\(problem)") }
        return (try applier.sync(generated.ruleset), generated.problems)
    }

    /// Removes every rule and chain the proxy made (`swiftlet proxy --cleanup`).
    public func cleanup() throws {
        try applier.cleanup()
    }
}
