import APIStore
import Foundation
import KubeAPI

/// One container's usage as metrics-server reports it: CPU as a rate over the window,
/// memory as the working set at the sample.
public struct ContainerUsage: Sendable, Equatable {
    public var name: String
    public var cpuNanocores: Int64
    public var memoryBytes: Int64

    public init(name: String, cpuNanocores: Int64, memoryBytes: Int64) {
        self.name = name
        self.cpuNanocores = cpuNanocores
        self.memoryBytes = memoryBytes
    }
}

/// A pod's usage (`metrics.k8s.io/v1beta1` PodMetrics).
public struct PodUsage: Sendable, Equatable {
    public var namespace: String
    public var name: String
    public var labels: [String: String]
    public var timestamp: Date
    public var window: TimeInterval
    public var containers: [ContainerUsage]

    public init(namespace: String, name: String, labels: [String: String], timestamp: Date, window: TimeInterval, containers: [ContainerUsage]) {
        self.namespace = namespace
        self.name = name
        self.labels = labels
        self.timestamp = timestamp
        self.window = window
        self.containers = containers
    }

    public var cpuNanocores: Int64 { containers.reduce(0) { $0 + $1.cpuNanocores } }
    public var memoryBytes: Int64 { containers.reduce(0) { $0 + $1.memoryBytes } }
}

/// The node's usage (NodeMetrics).
public struct NodeUsage: Sendable, Equatable {
    public var name: String
    public var timestamp: Date
    public var window: TimeInterval
    public var cpuNanocores: Int64
    public var memoryBytes: Int64

    public init(name: String, timestamp: Date, window: TimeInterval, cpuNanocores: Int64, memoryBytes: Int64) {
        self.name = name
        self.timestamp = timestamp
        self.window = window
        self.cpuNanocores = cpuNanocores
        self.memoryBytes = memoryBytes
    }
}

/// The latest usage of the node and its pods, which the resource metrics API serves.
public struct ResourceMetricsSnapshot: Sendable, Equatable {
    public var node: NodeUsage?
    public var pods: [PodUsage]

    public init(node: NodeUsage? = nil, pods: [PodUsage] = []) {
        self.node = node
        self.pods = pods
    }
}

/// The JSON of `metrics.k8s.io/v1beta1` objects, in metrics-server's units: CPU in
/// nanocores (`12345n`), memory in Ki (`2048Ki`), the window as a Go duration (`15s`).
enum ResourceMetricsJSON {
    static let apiVersion = "metrics.k8s.io/v1beta1"

    static func usage(cpu: Int64, memory: Int64) -> JSONValue {
        ["cpu": .string("\(cpu)n"), "memory": .string("\(memory / 1024)Ki")]
    }

    static func window(_ seconds: TimeInterval) -> JSONValue {
        let value = (seconds * 1000).rounded() / 1000
        return .string(value == value.rounded() ? "\(Int64(value))s" : "\(value)s")
    }

    static func pod(_ pod: PodUsage) -> JSONValue {
        var labels: [String: JSONValue] = [:]
        for (key, value) in pod.labels { labels[key] = .string(value) }
        return [
            "kind": "PodMetrics", "apiVersion": .string(apiVersion),
            "metadata": ["name": .string(pod.name), "namespace": .string(pod.namespace), "labels": .object(labels),
                         "creationTimestamp": .string(KubeTime.now().description)],
            "timestamp": .string(KubeTime(pod.timestamp).description), "window": window(pod.window),
            "containers": .array(pod.containers.map { ["name": .string($0.name), "usage": usage(cpu: $0.cpuNanocores, memory: $0.memoryBytes)] }),
        ]
    }

    static func node(_ node: NodeUsage) -> JSONValue {
        [
            "kind": "NodeMetrics", "apiVersion": .string(apiVersion),
            "metadata": ["name": .string(node.name), "creationTimestamp": .string(KubeTime.now().description)],
            "timestamp": .string(KubeTime(node.timestamp).description), "window": window(node.window),
            "usage": usage(cpu: node.cpuNanocores, memory: node.memoryBytes),
        ]
    }

    static func list(kind: String, _ items: [JSONValue]) -> JSONValue {
        ["kind": .string(kind + "List"), "apiVersion": .string(apiVersion), "metadata": [:], "items": .array(items)]
    }
}
