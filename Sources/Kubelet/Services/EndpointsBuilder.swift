import Foundation
import KubeAPI

/// One backend pod of a Service, with the container port each service port resolves to.
public struct ServiceBackend: Sendable, Equatable {
    public var podName: String
    public var namespace: String
    public var uid: String
    public var ip: String
    public var hostname: String?
    public var ready: Bool
    /// Resolved target port by service port name (`""` for an unnamed port).
    public var ports: [String: Int]
}

/// The endpoints controller on one node: a Service's backends are the pods of its namespace
/// whose labels match its selector and that have an IP and have not finished; they are ready
/// when the pod's Ready condition is true. Pure.
public enum EndpointsBuilder {
    public static func backends(of service: Service, pods: [Pod]) -> [ServiceBackend] {
        guard let selector = service.spec.selector, !selector.isEmpty else { return [] }
        let namespace = service.metadata.namespaceOrDefault
        return pods.compactMap { pod -> ServiceBackend? in
            guard pod.metadata.namespaceOrDefault == namespace,
                  selector.allSatisfy({ pod.metadata.labels?[$0.key] == $0.value }),
                  let ip = pod.status?.podIP, pod.metadata.deletionTimestamp == nil,
                  pod.status?.phase != .succeeded, pod.status?.phase != .failed else { return nil }
            var ports: [String: Int] = [:]
            for port in service.spec.ports ?? [] {
                if let resolved = resolve(port, in: pod) { ports[port.name ?? ""] = resolved }
            }
            let ready = pod.status?.conditions?.contains { $0.type == "Ready" && $0.status == .true } ?? false
            return ServiceBackend(
                podName: pod.metadata.name ?? "", namespace: namespace, uid: pod.metadata.uid ?? "", ip: ip,
                hostname: pod.spec.hostname, ready: ready || service.spec.publishNotReadyAddresses == true, ports: ports)
        }.sorted { $0.ip < $1.ip }
    }

    /// A service port's targetPort on one pod: a number as is, a name looked up among the
    /// pod's container ports of the same protocol; unset means the service port.
    public static func resolve(_ port: ServicePort, in pod: Pod) -> Int? {
        guard let target = port.targetPort else { return port.port }
        if let number = target.intValue { return number }
        guard let name = target.stringValue else { return nil }
        let proto = port.protocol ?? .tcp
        for container in pod.spec.containers {
            for containerPort in container.ports ?? [] where containerPort.name == name && (containerPort.protocol ?? .tcp) == proto {
                return containerPort.containerPort
            }
        }
        return nil
    }

    /// The v1 Endpoints object for the Service, as the endpoints controller writes it: one
    /// subset per distinct set of resolved ports, ready and not-ready addresses apart.
    public static func endpoints(of service: Service, backends: [ServiceBackend], nodeName: String) -> Endpoints {
        var meta = ObjectMeta()
        meta.name = service.metadata.name
        meta.namespace = service.metadata.namespaceOrDefault
        meta.labels = service.metadata.labels
        var groups: [[String: Int]: EndpointSubset] = [:]
        var order: [[String: Int]] = []
        for backend in backends where !backend.ports.isEmpty || (service.spec.ports ?? []).isEmpty {
            var address = EndpointAddress(ip: backend.ip)
            address.hostname = backend.hostname
            address.nodeName = nodeName
            var reference = ObjectReference()
            reference.kind = "Pod"
            reference.namespace = backend.namespace
            reference.name = backend.podName
            reference.uid = backend.uid
            address.targetRef = reference
            if groups[backend.ports] == nil {
                order.append(backend.ports)
                var subset = EndpointSubset()
                subset.ports = (service.spec.ports ?? []).compactMap { port in
                    backend.ports[port.name ?? ""].map { number in
                        var endpointPort = EndpointPort(port: number)
                        endpointPort.name = port.name
                        endpointPort.protocol = port.protocol ?? .tcp
                        return endpointPort
                    }
                }
                groups[backend.ports] = subset
            }
            if backend.ready {
                groups[backend.ports]!.addresses = (groups[backend.ports]!.addresses ?? []) + [address]
            } else {
                groups[backend.ports]!.notReadyAddresses = (groups[backend.ports]!.notReadyAddresses ?? []) + [address]
            }
        }
        var endpoints = Endpoints(metadata: meta)
        let subsets = order.compactMap { groups[$0] }
        endpoints.subsets = subsets.isEmpty ? nil : subsets
        return endpoints
    }
}
