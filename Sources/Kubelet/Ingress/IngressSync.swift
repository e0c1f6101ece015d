import APIStore
import Foundation
import IngressController
import KubeAPI
import Logging

/// The agent's side of the Ingress controller, once per pass: the Ingresses of the API
/// store, the Services and their ready Endpoints the node published, and the TLS Secrets
/// become the proxy's routes and certificates; each Ingress it handles gets the node's
/// address as its `status.loadBalancer`. A bad Ingress is one error line (once) and is
/// left out; the others route.
final class IngressSync {
    let proxy: IngressProxy
    let store: ResourceStore
    let nodeIP: String?
    let logger: Logger
    private var reported: Set<String> = []
    private var last: (table: [JSONValue], services: [ServiceName: ServiceTargets], secrets: [JSONValue])?

    static let resource = "ingresses.networking.k8s.io"

    /// Starts the proxy on the configured ports (`--ingress-http-port`, `--ingress-https-port`;
    /// 0 for none). A port already taken is an error line, not the agent's end.
    static func start(_ config: AgentConfiguration, store: ResourceStore, certificatePEM: String, keyPEM: String,
                      nodeIP: String?, logger: Logger) -> IngressSync? {
        let http = config.ingressHTTPPort ?? AgentConfiguration.defaultIngressHTTPPort
        let https = config.ingressHTTPSPort ?? AgentConfiguration.defaultIngressHTTPSPort
        if http == 0 && https == 0 { return nil }
        let proxy = IngressProxy(logger: logger)
        do {
            try proxy.start(httpPort: http, httpsPort: https, defaultCertificatePEM: certificatePEM, defaultKeyPEM: keyPEM)
        } catch {
            logger.error("Ingress controller: listen on ports \(http) and \(https): \(error)")
            proxy.stop()
            return nil
        }
        publishClass(store, logger: logger)
        return IngressSync(proxy: proxy, store: store, nodeIP: nodeIP, logger: logger)
    }

    /// The controller's IngressClass `swiftlet`, the default class (as the annotation upstream's
    /// admission reads marks it); created once, then the user's to change.
    static func publishClass(_ store: ResourceStore, logger: Logger) {
        guard let type = ResourceTypes.find(kind: "IngressClass") else { return }
        let object: JSONValue = [
            "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": ["name": .string(IngressSpec.ourClass), "uid": .string(UUID().uuidString.lowercased()),
                         "creationTimestamp": .string(KubeTime.now().description),
                         "annotations": ["ingressclass.kubernetes.io/is-default-class": "true"]],
            "spec": ["controller": "swiftlet.dev/ingress-controller"],
        ]
        do {
            _ = try store.write(StoreKey(type, namespace: nil, name: IngressSpec.ourClass)) { $0 ?? object }
        } catch {
            logger.error("IngressClass \(IngressSpec.ourClass): \(error)")
        }
    }

    func stop() { proxy.stop() }

    init(proxy: IngressProxy, store: ResourceStore, nodeIP: String?, logger: Logger) {
        self.proxy = proxy
        self.store = store
        self.nodeIP = nodeIP
        self.logger = logger
    }

    func sync(services: [KubeObject], endpoints: [KubeObject], objects: [KubeObject]) {
        let ingresses = store.list(resource: Self.resource).items
        let targets = Self.targets(services: services, endpoints: endpoints)
        var secrets = store.list(resource: "secrets").items
        secrets += objects.compactMap { object -> JSONValue? in
            guard case .secret = object else { return nil }
            return APIObjects.json(object)
        }
        if let last, last.table == ingresses, last.services == targets, last.secrets == secrets { return }
        last = (ingresses, targets, secrets)

        var problems: [String] = []
        var specs: [IngressSpec] = []
        for object in ingresses {
            switch IngressSpec.parse(object) {
            case .success(let spec): specs.append(spec)
            case .failure(let error): problems.append(error.description)
            }
        }
        let (certificates, tlsErrors) = TLSCertificates.build(ingresses: specs) { namespace, name in
            secrets.first { $0[path: ["metadata", "namespace"]]?.string ?? "default" == namespace && $0[path: ["metadata", "name"]]?.string == name }
        }
        problems += tlsErrors.map(\.description)
        problems += proxy.update(table: RoutingTable(ingresses: specs, services: targets), certificates: certificates)
        report(problems)
        if let nodeIP {
            for spec in specs where spec.isOurs { setAddress(spec, nodeIP) }
        }
    }

    /// Each Service's ports with the ready endpoints behind each (`ip:port`), matching
    /// Endpoints ports to Service ports by name as kube-proxy does.
    static func targets(services: [KubeObject], endpoints: [KubeObject]) -> [ServiceName: ServiceTargets] {
        var byName: [ServiceName: Endpoints] = [:]
        for object in endpoints {
            guard case .endpoints(let value) = object else { continue }
            byName[ServiceName(namespace: value.metadata.namespace ?? "default", name: value.metadata.name ?? "")] = value
        }
        var result: [ServiceName: ServiceTargets] = [:]
        for object in services {
            guard case .service(let service) = object else { continue }
            let key = ServiceName(namespace: service.metadata.namespace ?? "default", name: service.metadata.name ?? "")
            let subsets = byName[key]?.subsets ?? []
            let ports = (service.spec.ports ?? []).map { port -> ServiceTargets.Port in
                let name = port.name ?? ""
                var list: [String] = []
                for subset in subsets {
                    guard let target = (subset.ports ?? []).first(where: { ($0.name ?? "") == name }) else { continue }
                    list += (subset.addresses ?? []).map { "\($0.ip):\(target.port)" }
                }
                return ServiceTargets.Port(name: port.name, port: port.port, endpoints: list.sorted())
            }
            result[key] = ServiceTargets(ports: ports)
        }
        return result
    }

    private func report(_ problems: [String]) {
        for problem in problems where !reported.contains(problem) { logger.error("\(problem)") }
        reported = Set(problems)
    }

    /// `status.loadBalancer.ingress: [{ip: <node>}]`, written only when it differs.
    private func setAddress(_ spec: IngressSpec, _ ip: String) {
        guard let type = ResourceTypes.find(kind: "Ingress") else { return }
        let key = StoreKey(type, namespace: spec.namespace, name: spec.name)
        let wanted: JSONValue = ["ingress": [["ip": .string(ip)]]]
        do {
            _ = try store.write(key) { current in
                guard var current else { return nil }
                if current[path: ["status", "loadBalancer"]] == wanted { return current }
                current[path: ["status", "loadBalancer"]] = wanted
                return current
            }
        } catch {
            logger.error("Ingress \(spec.fullName): status: \(error)")
        }
    }
}
