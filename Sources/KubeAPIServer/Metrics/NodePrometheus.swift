import Foundation
import Prometheus

/// The agent's own metrics (`/metrics`, Prometheus text format), under the names upstream's
/// kubelet, kube-proxy, apiserver and kube-state-metrics give them, so dashboards and
/// alerts written for those read these.
public final class NodePrometheus: Sendable {
    public let registry = PrometheusCollectorRegistry()
    /// kubelet: first seen → Running.
    public let podStartDuration: ValueHistogram
    /// kube-proxy: one sync of the Services' rules.
    public let proxySyncDuration: ValueHistogram
    private let runningPods: Gauge
    private let runningContainers: Gauge
    private let restarts = RestartCounters()

    /// kubelet's pod start buckets (seconds).
    static let podStartBuckets: [Double] = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600]
    /// kube-proxy's: 1 ms doubling 15 times.
    static let proxySyncBuckets: [Double] = (0..<15).map { 0.001 * pow(2, Double($0)) }
    /// apiserver's request duration buckets.
    static let requestBuckets: [Double] = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60]

    public init() {
        podStartDuration = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(metricName: "kubelet_pod_start_duration", unitName: "seconds",
                                             helpText: "Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run"),
            labels: [], buckets: Self.podStartBuckets)
        proxySyncDuration = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(metricName: "kubeproxy_sync_proxy_rules_duration", unitName: "seconds",
                                             helpText: "SyncProxyRules latency in seconds"),
            labels: [], buckets: Self.proxySyncBuckets)
        runningPods = registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: "kubelet_running_pods", unitName: "", helpText: "Number of pods that have a running pod sandbox"),
            labels: [])
        runningContainers = registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: "kubelet_running_containers", unitName: "", helpText: "Number of containers currently running"),
            labels: [("container_state", "running")])
    }

    /// One API request: apiserver_request_total and apiserver_request_duration_seconds.
    public func observeRequest(verb: String, resource: String, code: Int, seconds: Double) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "apiserver_request", unitName: "total",
                                             helpText: "Counter of apiserver requests broken out for each verb, resource, and HTTP response code."),
            labels: [("verb", verb), ("resource", resource), ("code", String(code))]).increment()
        registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(metricName: "apiserver_request_duration", unitName: "seconds",
                                             helpText: "Response latency distribution in seconds for each verb and resource."),
            labels: [("verb", verb), ("resource", resource)], buckets: Self.requestBuckets).record(seconds)
    }

    /// The running pods and containers, and each container's restarts
    /// (kube_pod_container_status_restarts_total, as kube-state-metrics reports it).
    public func setRunning(pods: Int, containers: Int, restarts counts: [ContainerRestarts]) {
        runningPods.set(Double(pods))
        runningContainers.set(Double(containers))
        restarts.update(counts, registry: registry)
    }

    /// The metrics in the text exposition format (version 0.0.4).
    public func text() -> String { registry.emitToString() }
}

/// One container's restart count, by pod.
public struct ContainerRestarts: Hashable, Sendable {
    public var namespace: String
    public var pod: String
    public var container: String
    public var count: Int

    public init(namespace: String, pod: String, container: String, count: Int) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.count = count
    }
}

/// The restart counters: each moved up by what its container's count grew, dropped once
/// the container is gone.
final class RestartCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var last: [String: (count: Int, counter: Counter)] = [:]

    func update(_ counts: [ContainerRestarts], registry: PrometheusCollectorRegistry) {
        lock.lock()
        defer { lock.unlock() }
        var next: [String: (count: Int, counter: Counter)] = [:]
        for item in counts {
            let key = "\(item.namespace)/\(item.pod)/\(item.container)"
            let counter = last[key]?.counter ?? registry.makeCounter(
                descriptor: MetricNameDescriptor(metricName: "kube_pod_container_status_restarts", unitName: "total",
                                                 helpText: "The number of container restarts per container."),
                labels: [("namespace", item.namespace), ("pod", item.pod), ("container", item.container)])
            let previous = last[key]?.count ?? 0
            if item.count > previous { counter.increment(by: Int64(item.count - previous)) }
            next[key] = (max(item.count, previous), counter)
        }
        for (key, entry) in last where next[key] == nil { registry.unregisterCounter(entry.counter) }
        last = next
    }
}
