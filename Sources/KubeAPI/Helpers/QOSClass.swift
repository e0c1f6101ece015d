/// Computes a pod's quality-of-service class as upstream's `GetPodQOS` does.
public enum QOSClass {
    private static let computeResources: Set<String> = ["cpu", "memory"]

    /// Guaranteed when every container limits cpu and memory and requests equal limits;
    /// BestEffort when nothing is requested or limited; Burstable otherwise.
    public static func of(_ pod: Pod) -> PodQOSClass { of(pod.spec) }

    /// The QoS class of a pod spec.
    public static func of(_ spec: PodSpec) -> PodQOSClass {
        var requests: [String: Int128] = [:]
        var limits: [String: Int128] = [:]
        var guaranteed = true
        for container in (spec.initContainers ?? []) + spec.containers {
            for (name, quantity) in container.resources?.requests ?? [:]
            where computeResources.contains(name) && quantity.nanoValue > 0 {
                requests[name, default: 0] += quantity.nanoValue
            }
            var found = Set<String>()
            for (name, quantity) in container.resources?.limits ?? [:]
            where computeResources.contains(name) && quantity.nanoValue > 0 {
                found.insert(name)
                limits[name, default: 0] += quantity.nanoValue
            }
            if found != computeResources { guaranteed = false }
        }
        if requests.isEmpty && limits.isEmpty { return .bestEffort }
        if guaranteed {
            for (name, request) in requests where limits[name] != request { guaranteed = false }
        }
        return guaranteed && requests.count == limits.count ? .guaranteed : .burstable
    }
}
