import Foundation
import KubeAPI
import Logging
import Images
import Runtime

/// The pod network as the kubelet sees it: CNI ADD and DEL for a pod sandbox.
public protocol PodNetwork: Sendable {
    /// Attaches the sandbox's network namespace; returns the pod's IP.
    func setUp(podUID: String, namespace: String, name: String, netns: String) throws -> String
    /// Detaches it; idempotent.
    func tearDown(podUID: String, namespace: String, name: String, netns: String)
}

/// An image ready for containers: its id, run defaults and unpacked layers.
public struct PreparedImage: Sendable, Equatable {
    public var id: String
    public var config: ImageConfig.ContainerDefaults?
    /// Unpacked layer directories, lowest first.
    public var layers: [String]

    public init(id: String, config: ImageConfig.ContainerDefaults?, layers: [String]) {
        self.id = id
        self.config = config
        self.layers = layers
    }
}

/// An image that cannot be had: the container waits with `reason` (ErrImageNeverPull,
/// ErrImagePull, InvalidImageName) and `message`.
public struct ImageUnavailable: Error, CustomStringConvertible, Equatable {
    public var reason: String
    public var message: String
    public var description: String { message }
    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }
}

/// Where containers' images come from (the CRI's image service).
public protocol ImageProvider: Sendable {
    func prepare(_ reference: String, policy: PullPolicy) throws -> PreparedImage
}

/// Reads ConfigMap and Secret data for env and volumes: (kind, namespace, name) → data,
/// nil when there is no such object.
public typealias ConfigSource = @Sendable (_ kind: String, _ namespace: String, _ name: String) -> [String: String]?

/// Everything a pod worker uses on the node, as parameters so tests can hand in their own.
public struct NodeServices: Sendable {
    public var layout: NodeLayout
    public var nodeName: String
    public var hostIP: String?
    public var cgroupParent: String
    public var clusterDNS: String?
    public var nodeResolvConf: String
    public var containers: ContainerRuntimeService
    public var network: PodNetwork
    public var images: ImageProvider
    public var configSource: ConfigSource
    public var logger: Logger
    /// How often a pod worker looks at its containers.
    public var tick: TimeInterval

    public init(
        layout: NodeLayout, nodeName: String, hostIP: String?, cgroupParent: String, clusterDNS: String?,
        nodeResolvConf: String, containers: ContainerRuntimeService, network: PodNetwork, images: ImageProvider,
        configSource: @escaping ConfigSource = { _, _, _ in nil }, logger: Logger, tick: TimeInterval = 0.1
    ) {
        self.layout = layout
        self.nodeName = nodeName
        self.hostIP = hostIP
        self.cgroupParent = cgroupParent
        self.clusterDNS = clusterDNS
        self.nodeResolvConf = nodeResolvConf
        self.containers = containers
        self.network = network
        self.images = images
        self.configSource = configSource
        self.logger = logger
        self.tick = tick
    }
}
