import ClusterDNS
import Foundation
import KubeAPI
import KubeProxy
import Logging

/// Services on the node, each agent pass: ClusterIPs and NodePorts (kept across restarts),
/// endpoints from the ready pods their selectors pick, kube-proxy's iptables rules, and the
/// cluster DNS records. The agent also publishes the Services and Endpoints for the CLI.
public final class ServiceController: @unchecked Sendable {
    public struct Settings: Sendable {
        public var serviceCIDR: String = "10.96.0.0/16"
        /// The kube-dns Service's address, where the agent serves cluster DNS; nil for none.
        public var clusterDNS: String? = "10.96.0.10"
        /// The node's address: NodePorts and LoadBalancer ingress answer there.
        public var nodeIP: String?
        public var podCIDR: String?
        public var nodeName: String = ""
        public var resolvConf: String = "/etc/resolv.conf"
        /// `--proxy-mode`: iptables (default) or nftables.
        public var proxyMode: ProxyMode = .iptables
        public init() {}
    }

    public let settings: Settings
    let layout: NodeLayout
    let logger: Logger
    let allocator: ServiceAllocator
    let proxy: ServiceProxy
    private var allocations: ServiceAllocations
    private var dns: ClusterDNSServer?
    private var reported: Set<String> = []
    private let objects: ObjectStore
    private var serviceRouteReady = false

    public init(settings: Settings, layout: NodeLayout, applier: ProxyApplier = ProxyApplier(),
                nftablesApplier: NFTablesApplier = NFTablesApplier(), logger: Logger) throws {
        self.settings = settings
        self.layout = layout
        self.logger = logger
        self.allocator = try ServiceAllocator(serviceCIDR: settings.serviceCIDR, reserved: Set([settings.clusterDNS].compactMap { $0 }))
        self.proxy = ServiceProxy(options: ProxyOptions(clusterCIDR: settings.podCIDR), mode: settings.proxyMode,
                                  applier: applier, nftablesApplier: nftablesApplier, logger: logger)
        self.objects = ObjectStore(root: layout.root)
        self.allocations = JSONFile.read(ServiceAllocations.self, from: layout.root + "/services.json") ?? ServiceAllocations()
    }

    /// Sets up the node for Services: br_netfilter, and the cluster DNS server on its address.
    public func start() throws {
        do {
            try BridgeNetfilter(logger: logger).enable()
        } catch {
            logger.warning("\(error)")
        }
        guard let address = settings.clusterDNS else { return }
        try ClusterDNSAddress.add(address)
        let server = ClusterDNSServer(
            configuration: .forwardingToResolvConf(address: address, resolvConfPath: settings.resolvConf),
            records: ClusterDNSRecords(services: []), logger: logger)
        try server.start()
        dns = server
        logger.info("cluster DNS on \(address):53")
    }

    /// Stops serving DNS; the rules stay, as kube-proxy leaves them, so Services keep working.
    public func stop() {
        dns?.stop()
        dns = nil
        if let address = settings.clusterDNS { try? ClusterDNSAddress.remove(address) }
    }

    /// One pass: the Services of the manifests and the pods as their workers last wrote them.
    public func sync(services declared: [Service], pods: [Pod]) {
        if !serviceRouteReady, let nodeIP = settings.nodeIP {
            serviceRouteReady = ServiceRoute.ensure(serviceCIDR: settings.serviceCIDR, nodeIP: nodeIP)
        }
        var services = declared
        if let dnsIP = settings.clusterDNS { services.append(Self.kubeDNS(clusterIP: dnsIP)) }
        let (allocations, allocated, errors) = allocator.allocate(services, previous: self.allocations)
        report(errors)
        if allocations != self.allocations {
            self.allocations = allocations
            try? JSONFile.write(allocations, to: layout.root + "/services.json")
        }
        var proxied: [ServiceInfo] = []
        var endpointsByService: [ServiceName: [EndpointInfo]] = [:]
        var records: [DNSServiceRecord] = []
        var publishedServices: [KubeObject] = []
        var publishedEndpoints: [KubeObject] = []
        for var service in allocated {
            let namespace = service.metadata.namespaceOrDefault
            let name = service.metadata.name ?? ""
            let backends = EndpointsBuilder.backends(of: service, pods: pods)
            if service.spec.type == .loadBalancer, let nodeIP = settings.nodeIP {
                var status = service.status ?? ServiceStatus()
                var ingress = LoadBalancerIngress()
                ingress.ip = nodeIP
                status.loadBalancer = LoadBalancerStatus(ingress: [ingress])
                service.status = status
            }
            let endpoints = EndpointsBuilder.endpoints(of: service, backends: backends, nodeName: settings.nodeName)
            records.append(Self.dnsRecord(service, backends: backends))
            if let info = Self.proxyInfo(service), !(namespace == "kube-system" && name == "kube-dns") {
                proxied.append(info)
                endpointsByService[info.serviceName] = backends.map { EndpointInfo(ip: $0.ip, ports: $0.ports, ready: $0.ready) }
            }
            publishedServices.append(.service(service))
            publishedEndpoints.append(.endpoints(endpoints))
        }
        do {
            report(try proxy.sync(services: proxied, endpoints: endpointsByService).problems)
        } catch {
            report(["kube-proxy sync: \(error)"])
            proxy.invalidate()
        }
        dns?.update(services: records)
        // For `swiftlet get services|endpoints`.
        do {
            try objects.replaceAll(kind: "services", objects: publishedServices)
            try objects.replaceAll(kind: "endpoints", objects: publishedEndpoints)
        } catch {
            report(["publish services: \(error)"])
        }
    }

    private func report(_ problems: [String]) {
        for problem in problems where !reported.contains(problem) { logger.error("\(problem)") }
        reported = Set(problems).union(reported.intersection(problems))
    }

    /// Removes every rule Swiftlet's proxy made, in either proxy mode (`swiftlet proxy --cleanup`).
    public static func cleanup(logger: Logger) throws {
        try ServiceProxy(options: ProxyOptions(), logger: logger).cleanup()
    }

    // MARK: Mapping API objects to the proxy's and DNS's models

    static func kubeDNS(clusterIP: String) -> Service {
        var meta = ObjectMeta()
        meta.name = "kube-dns"
        meta.namespace = "kube-system"
        meta.labels = ["k8s-app": "kube-dns"]
        var spec = ServiceSpec()
        spec.clusterIP = clusterIP
        var udp = ServicePort(port: 53)
        udp.name = "dns"
        udp.protocol = .udp
        udp.targetPort = .int(53)
        var tcp = ServicePort(port: 53)
        tcp.name = "dns-tcp"
        tcp.protocol = .tcp
        tcp.targetPort = .int(53)
        spec.ports = [udp, tcp]
        spec.type = .clusterIP
        return Service(metadata: meta, spec: spec)
    }

    static func proxyInfo(_ service: Service) -> ServiceInfo? {
        let spec = service.spec
        guard spec.type != .externalName else { return nil }
        let type: ServiceInfo.ServiceType = spec.type == .nodePort ? .nodePort : spec.type == .loadBalancer ? .loadBalancer : .clusterIP
        let affinity: SessionAffinity = spec.sessionAffinity == .clientIP
            ? .clientIP(timeoutSeconds: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? SessionAffinity.defaultTimeoutSeconds)
            : .none
        let ports = (spec.ports ?? []).map { port in
            ServicePortInfo(name: port.name ?? "", protocol: ServiceProtocol(rawValue: port.protocol?.rawValue ?? "TCP") ?? .tcp,
                            port: port.port, nodePort: port.nodePort)
        }
        return ServiceInfo(
            namespace: service.metadata.namespaceOrDefault, name: service.metadata.name ?? "", type: type,
            clusterIP: spec.virtualIP, ports: ports, sessionAffinity: affinity, externalIPs: spec.externalIPs ?? [],
            loadBalancerIngressIPs: service.status?.loadBalancer?.ingress?.compactMap(\.ip) ?? [])
    }

    static func dnsRecord(_ service: Service, backends: [ServiceBackend]) -> DNSServiceRecord {
        return DNSServiceRecord(
            name: service.metadata.name ?? "", namespace: service.metadata.namespaceOrDefault,
            clusterIP: service.spec.virtualIP, externalName: service.spec.externalName,
            ports: (service.spec.ports ?? []).compactMap { port in
                port.name.map { DNSServiceRecord.Port(name: $0, protocol: port.protocol?.rawValue ?? "TCP", port: port.port) }
            },
            endpoints: backends.map { DNSServiceRecord.Endpoint(ip: $0.ip, hostname: $0.hostname, ready: $0.ready) })
    }
}
