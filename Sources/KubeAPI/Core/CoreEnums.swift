/// When the kubelet restarts a pod's containers.
public struct RestartPolicy: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let always: Self = "Always"
    public static let onFailure: Self = "OnFailure"
    public static let never: Self = "Never"
    public static let supported: [Self] = [.always, .onFailure, .never]
}

/// When the kubelet pulls a container's image.
public struct PullPolicy: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let always: Self = "Always"
    public static let ifNotPresent: Self = "IfNotPresent"
    public static let never: Self = "Never"
    public static let supported: [Self] = [.always, .ifNotPresent, .never]
}

/// The transport protocol of a port.
public struct PortProtocol: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let tcp: Self = "TCP"
    public static let udp: Self = "UDP"
    public static let sctp: Self = "SCTP"
    public static let supported: [Self] = [.sctp, .tcp, .udp]
}

/// How a pod's resolv.conf is built.
public struct DNSPolicy: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let clusterFirst: Self = "ClusterFirst"
    public static let clusterFirstWithHostNet: Self = "ClusterFirstWithHostNet"
    public static let `default`: Self = "Default"
    public static let none: Self = "None"
    public static let supported: [Self] = [.clusterFirstWithHostNet, .clusterFirst, .default, .none]
}

/// The scheme of an HTTP probe or handler.
public struct URIScheme: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let http: Self = "HTTP"
    public static let https: Self = "HTTPS"
    public static let supported: [Self] = [.http, .https]
}

/// What a hostPath volume expects (or creates) at its path.
public struct HostPathType: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let unset: Self = ""
    public static let directoryOrCreate: Self = "DirectoryOrCreate"
    public static let directory: Self = "Directory"
    public static let fileOrCreate: Self = "FileOrCreate"
    public static let file: Self = "File"
    public static let socket: Self = "Socket"
    public static let charDevice: Self = "CharDevice"
    public static let blockDevice: Self = "BlockDevice"
    public static let supported: [Self] = [
        .blockDevice, .charDevice, .directory, .directoryOrCreate, .file, .fileOrCreate, .unset, .socket,
    ]
}

/// Where an emptyDir lives: on disk (`""`) or in memory (`Memory`, a tmpfs).
public struct StorageMedium: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let `default`: Self = ""
    public static let memory: Self = "Memory"
    public static let hugePages: Self = "HugePages"
    public static let supported: [Self] = [.default, .memory, .hugePages]
}

/// The lifecycle phase of a pod.
public struct PodPhase: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let pending: Self = "Pending"
    public static let running: Self = "Running"
    public static let succeeded: Self = "Succeeded"
    public static let failed: Self = "Failed"
    public static let unknown: Self = "Unknown"
    public static let supported: [Self] = [.pending, .running, .succeeded, .failed, .unknown]
}

/// The quality-of-service class of a pod, from its containers' requests and limits.
public struct PodQOSClass: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let guaranteed: Self = "Guaranteed"
    public static let burstable: Self = "Burstable"
    public static let bestEffort: Self = "BestEffort"
    public static let supported: [Self] = [.guaranteed, .burstable, .bestEffort]
}

/// Whether a container's termination message comes from its file or its log too.
public struct TerminationMessagePolicy: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let file: Self = "File"
    public static let fallbackToLogsOnError: Self = "FallbackToLogsOnError"
    public static let supported: [Self] = [.file, .fallbackToLogsOnError]
}
