extension PodSpec {
    /// The container port number a probe or handler port refers to: the number itself, or
    /// the `containerPort` of the container's port with that name (upstream `FindPort`).
    public func resolvePort(container: Container, port: IntOrString) -> Int? {
        switch port {
        case .int(let number):
            return number
        case .string(let name):
            if let number = Int(name) { return number }
            return container.ports?.first { $0.name == name }?.containerPort
        }
    }

    /// The container port a Service's targetPort selects in this pod: a number as is, a name
    /// looked up in every container's ports with a matching protocol.
    public func resolvePort(_ port: IntOrString, protocol proto: PortProtocol = .tcp) -> Int? {
        switch port {
        case .int(let number):
            return number
        case .string(let name):
            for container in containers {
                if let match = container.ports?.first(where: { $0.name == name && ($0.protocol ?? .tcp) == proto }) {
                    return match.containerPort
                }
            }
            return nil
        }
    }
}
