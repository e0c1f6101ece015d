/// What a pod runs and how (core/v1 `PodSpec`).
public struct PodSpec: Codable, Sendable, Hashable {
    public var volumes: [Volume]?
    public var initContainers: [Container]?
    public var containers: [Container]
    public var restartPolicy: RestartPolicy?
    public var terminationGracePeriodSeconds: Int?
    public var activeDeadlineSeconds: Int?
    public var dnsPolicy: DNSPolicy?
    public var nodeSelector: [String: String]?
    public var serviceAccountName: String?
    public var automountServiceAccountToken: Bool?
    public var nodeName: String?
    public var hostNetwork: Bool?
    public var hostPID: Bool?
    public var hostIPC: Bool?
    public var shareProcessNamespace: Bool?
    public var securityContext: PodSecurityContext?
    public var imagePullSecrets: [LocalObjectReference]?
    public var hostname: String?
    public var subdomain: String?
    public var schedulerName: String?
    public var priority: Int?
    public var priorityClassName: String?
    public var dnsConfig: PodDNSConfig?
    public var hostAliases: [HostAlias]?
    public var enableServiceLinks: Bool?

    public init(
        volumes: [Volume]? = nil,
        initContainers: [Container]? = nil,
        containers: [Container],
        restartPolicy: RestartPolicy? = nil,
        terminationGracePeriodSeconds: Int? = nil,
        activeDeadlineSeconds: Int? = nil,
        dnsPolicy: DNSPolicy? = nil,
        nodeSelector: [String: String]? = nil,
        serviceAccountName: String? = nil,
        automountServiceAccountToken: Bool? = nil,
        nodeName: String? = nil,
        hostNetwork: Bool? = nil,
        hostPID: Bool? = nil,
        hostIPC: Bool? = nil,
        shareProcessNamespace: Bool? = nil,
        securityContext: PodSecurityContext? = nil,
        imagePullSecrets: [LocalObjectReference]? = nil,
        hostname: String? = nil,
        subdomain: String? = nil,
        schedulerName: String? = nil,
        priority: Int? = nil,
        priorityClassName: String? = nil,
        dnsConfig: PodDNSConfig? = nil,
        hostAliases: [HostAlias]? = nil,
        enableServiceLinks: Bool? = nil
    ) {
        self.volumes = volumes
        self.initContainers = initContainers
        self.containers = containers
        self.restartPolicy = restartPolicy
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.dnsPolicy = dnsPolicy
        self.nodeSelector = nodeSelector
        self.serviceAccountName = serviceAccountName
        self.automountServiceAccountToken = automountServiceAccountToken
        self.nodeName = nodeName
        self.hostNetwork = hostNetwork
        self.hostPID = hostPID
        self.hostIPC = hostIPC
        self.shareProcessNamespace = shareProcessNamespace
        self.securityContext = securityContext
        self.imagePullSecrets = imagePullSecrets
        self.hostname = hostname
        self.subdomain = subdomain
        self.schedulerName = schedulerName
        self.priority = priority
        self.priorityClassName = priorityClassName
        self.dnsConfig = dnsConfig
        self.hostAliases = hostAliases
        self.enableServiceLinks = enableServiceLinks
    }
}

/// A reference to an object by name in the same namespace.
public struct LocalObjectReference: Codable, Sendable, Hashable {
    public var name: String?

    public init(name: String? = nil) {
        self.name = name
    }
}

/// Extra resolver settings for a pod (`dnsConfig`).
public struct PodDNSConfig: Codable, Sendable, Hashable {
    public var nameservers: [String]?
    public var searches: [String]?
    public var options: [PodDNSConfigOption]?

    public init(
        nameservers: [String]? = nil,
        searches: [String]? = nil,
        options: [PodDNSConfigOption]? = nil
    ) {
        self.nameservers = nameservers
        self.searches = searches
        self.options = options
    }
}

/// One resolv.conf option, e.g. `ndots` with value `2`.
public struct PodDNSConfigOption: Codable, Sendable, Hashable {
    public var name: String?
    public var value: String?

    public init(name: String? = nil, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// An extra /etc/hosts entry for a pod.
public struct HostAlias: Codable, Sendable, Hashable {
    public var ip: String?
    public var hostnames: [String]?

    public init(ip: String? = nil, hostnames: [String]? = nil) {
        self.ip = ip
        self.hostnames = hostnames
    }
}
