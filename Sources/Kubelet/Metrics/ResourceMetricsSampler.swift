import Foundation
import KubeAPI
import KubeAPIServer

/// The node's resource metrics, as metrics-server makes them from the kubelet's cAdvisor
/// stats: every `interval` it samples the cgroup of each running container and of the
/// node, and reports CPU as the rate between the last two samples, memory as the working
/// set. A container needs two samples before its pod is reported, as in metrics-server.
final class ResourceMetricsSampler {
    let reader: CgroupUsageReader
    let cgroupParent: String
    let nodeName: String
    let interval: TimeInterval
    private var lastTime: Date?
    private var lastNode: CgroupUsage?
    private var lastContainers: [String: CgroupUsage] = [:]
    private(set) var snapshot = ResourceMetricsSnapshot()

    init(reader: CgroupUsageReader = CgroupUsageReader(), cgroupParent: String, nodeName: String, interval: TimeInterval = 15) {
        self.reader = reader
        self.cgroupParent = cgroupParent
        self.nodeName = nodeName
        self.interval = interval
    }

    /// Samples when `interval` has passed since the last sample; true if the snapshot changed.
    func sample(pods: [Pod], now: Date) -> Bool {
        if let lastTime, now.timeIntervalSince(lastTime) < interval { return false }
        let window = lastTime.map { now.timeIntervalSince($0) }
        var containers: [String: CgroupUsage] = [:]
        var podUsages: [PodUsage] = []
        for pod in pods where pod.status?.phase == .running {
            guard let uid = pod.metadata.uid else { continue }
            let podCgroup = cgroupParent + "/pod" + uid
            let ids = Self.containerCgroups(children: reader.children(podCgroup), podUID: uid)
            let running = (pod.status?.containerStatuses ?? []).filter { $0.state?.running != nil }.map(\.name)
            var usages: [ContainerUsage] = []
            for name in running {
                guard let id = ids[name], let usage = reader.usage(podCgroup + "/" + id) else { continue }
                let path = podCgroup + "/" + id
                containers[path] = usage
                if let window, let old = lastContainers[path], let rate = CgroupUsage.cpuRate(from: old, to: usage, seconds: window) {
                    usages.append(ContainerUsage(name: name, cpuNanocores: rate, memoryBytes: usage.workingSetBytes))
                }
            }
            guard let window, !running.isEmpty, usages.count == running.count else { continue }
            podUsages.append(PodUsage(
                namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name ?? "", labels: pod.metadata.labels ?? [:],
                timestamp: now, window: window, containers: usages))
        }
        let node = nodeUsage()
        var nodeMetrics: NodeUsage?
        if let window, let node, let lastNode, let rate = CgroupUsage.cpuRate(from: lastNode, to: node, seconds: window) {
            nodeMetrics = NodeUsage(name: nodeName, timestamp: now, window: window, cpuNanocores: rate, memoryBytes: node.workingSetBytes)
        }
        lastTime = now
        lastNode = node
        lastContainers = containers
        snapshot = ResourceMetricsSnapshot(node: nodeMetrics, pods: podUsages.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) })
        return true
    }

    /// The node's usage: the root cgroup's (cAdvisor's "/" container); a v2 root has no
    /// memory.current, so there the working set is MemTotal − MemAvailable.
    private func nodeUsage() -> CgroupUsage? {
        if let root = reader.usage("/") { return root }
        guard let unified = reader.unifiedMount,
              let cpu = try? String(contentsOfFile: unified + "/cpu.stat", encoding: .utf8),
              let usec = CgroupUsage.statFields(cpu)["usage_usec"],
              let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        return CgroupUsage(cpuNanoseconds: UInt64(max(usec, 0)) * 1000, workingSetBytes: Self.meminfoWorkingSet(meminfo) ?? 0)
    }

    static func meminfoWorkingSet(_ text: String) -> Int64? {
        var fields: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let value = Int64(parts[1]) { fields[String(parts[0].dropLast())] = value * 1024 }
        }
        guard let total = fields["MemTotal"], let available = fields["MemAvailable"] else { return nil }
        return total - available
    }

    /// Container name → the cgroup of its newest instance, from the pod cgroup's children
    /// (`<uid>-<container>-<attempt>`, ContainerID's form).
    static func containerCgroups(children: [String], podUID: String) -> [String: String] {
        var newest: [String: (attempt: Int, id: String)] = [:]
        let prefix = ContainerID.prefix(podUID: podUID)
        for child in children where child.hasPrefix(prefix) {
            let rest = child.dropFirst(prefix.count)
            guard let dash = rest.lastIndex(of: "-"), let attempt = Int(rest[rest.index(after: dash)...]) else { continue }
            let name = String(rest[..<dash])
            if (newest[name]?.attempt ?? -1) < attempt { newest[name] = (attempt, child) }
        }
        return newest.mapValues(\.id)
    }
}
