/// Any object kind Swiftlet understands, as decoded from a manifest.
public enum KubeObject: Sendable, Hashable, Codable {
    case pod(Pod)
    case service(Service)
    case endpoints(Endpoints)
    case endpointSlice(EndpointSlice)
    case deployment(Deployment)
    case replicaSet(ReplicaSet)
    case daemonSet(DaemonSet)
    case job(Job)
    case cronJob(CronJob)
    case configMap(ConfigMap)
    case secret(Secret)
    case namespace(Namespace)

    /// The kinds the decoder accepts, by `apiVersion` and `kind`.
    public static let supportedKinds: [(apiVersion: String, kind: String)] = [
        ("v1", "Pod"), ("v1", "Service"), ("v1", "Endpoints"), ("discovery.k8s.io/v1", "EndpointSlice"),
        ("apps/v1", "Deployment"), ("apps/v1", "ReplicaSet"), ("apps/v1", "DaemonSet"),
        ("batch/v1", "Job"), ("batch/v1", "CronJob"), ("v1", "ConfigMap"), ("v1", "Secret"),
        ("v1", "Namespace"),
    ]

    public var metadata: ObjectMeta {
        get {
            switch self {
            case .pod(let o): return o.metadata
            case .service(let o): return o.metadata
            case .endpoints(let o): return o.metadata
            case .endpointSlice(let o): return o.metadata
            case .deployment(let o): return o.metadata
            case .replicaSet(let o): return o.metadata
            case .daemonSet(let o): return o.metadata
            case .job(let o): return o.metadata
            case .cronJob(let o): return o.metadata
            case .configMap(let o): return o.metadata
            case .secret(let o): return o.metadata
            case .namespace(let o): return o.metadata
            }
        }
        set {
            switch self {
            case .pod(var o): o.metadata = newValue; self = .pod(o)
            case .service(var o): o.metadata = newValue; self = .service(o)
            case .endpoints(var o): o.metadata = newValue; self = .endpoints(o)
            case .endpointSlice(var o): o.metadata = newValue; self = .endpointSlice(o)
            case .deployment(var o): o.metadata = newValue; self = .deployment(o)
            case .replicaSet(var o): o.metadata = newValue; self = .replicaSet(o)
            case .daemonSet(var o): o.metadata = newValue; self = .daemonSet(o)
            case .job(var o): o.metadata = newValue; self = .job(o)
            case .cronJob(var o): o.metadata = newValue; self = .cronJob(o)
            case .configMap(var o): o.metadata = newValue; self = .configMap(o)
            case .secret(var o): o.metadata = newValue; self = .secret(o)
            case .namespace(var o): o.metadata = newValue; self = .namespace(o)
            }
        }
    }

    /// The upstream kind name, e.g. `Deployment`.
    public var kind: String {
        switch self {
        case .pod: return "Pod"
        case .service: return "Service"
        case .endpoints: return "Endpoints"
        case .endpointSlice: return "EndpointSlice"
        case .deployment: return "Deployment"
        case .replicaSet: return "ReplicaSet"
        case .daemonSet: return "DaemonSet"
        case .job: return "Job"
        case .cronJob: return "CronJob"
        case .configMap: return "ConfigMap"
        case .secret: return "Secret"
        case .namespace: return "Namespace"
        }
    }

    /// The upstream group/version, e.g. `apps/v1`.
    public var apiVersion: String {
        KubeObject.supportedKinds.first { $0.kind == kind }!.apiVersion
    }

    /// `metadata.name`, or "" when unset.
    public var name: String { metadata.name ?? "" }

    /// `metadata.namespace`; nil for cluster-scoped kinds (Namespace).
    public var namespace: String? {
        if case .namespace = self { return nil }
        return metadata.namespace
    }

    /// Whether objects of this kind live in a namespace.
    public var isNamespaced: Bool {
        if case .namespace = self { return false }
        return true
    }

    public init(from decoder: Decoder) throws {
        let type = try TypeMeta(from: decoder)
        let single = try decoder.singleValueContainer()
        switch type.kind {
        case "Pod": self = .pod(try single.decode(Pod.self))
        case "Service": self = .service(try single.decode(Service.self))
        case "Endpoints": self = .endpoints(try single.decode(Endpoints.self))
        case "EndpointSlice": self = .endpointSlice(try single.decode(EndpointSlice.self))
        case "Deployment": self = .deployment(try single.decode(Deployment.self))
        case "ReplicaSet": self = .replicaSet(try single.decode(ReplicaSet.self))
        case "DaemonSet": self = .daemonSet(try single.decode(DaemonSet.self))
        case "Job": self = .job(try single.decode(Job.self))
        case "CronJob": self = .cronJob(try single.decode(CronJob.self))
        case "ConfigMap": self = .configMap(try single.decode(ConfigMap.self))
        case "Secret": self = .secret(try single.decode(Secret.self))
        case "Namespace": self = .namespace(try single.decode(Namespace.self))
        default:
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unsupported kind \(type.kind ?? "")"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var single = encoder.singleValueContainer()
        switch self {
        case .pod(let o): try single.encode(o)
        case .service(let o): try single.encode(o)
        case .endpoints(let o): try single.encode(o)
        case .endpointSlice(let o): try single.encode(o)
        case .deployment(let o): try single.encode(o)
        case .replicaSet(let o): try single.encode(o)
        case .daemonSet(let o): try single.encode(o)
        case .job(let o): try single.encode(o)
        case .cronJob(let o): try single.encode(o)
        case .configMap(let o): try single.encode(o)
        case .secret(let o): try single.encode(o)
        case .namespace(let o): try single.encode(o)
        }
    }
}

extension KubeObject {
    /// The pod template of a workload (Deployment, ReplicaSet, DaemonSet, Job, CronJob's job).
    public var podTemplate: PodTemplateSpec? {
        switch self {
        case .deployment(let o): return o.spec.template
        case .replicaSet(let o): return o.spec.template
        case .daemonSet(let o): return o.spec.template
        case .job(let o): return o.spec.template
        case .cronJob(let o): return o.spec.jobTemplate.spec.template
        default: return nil
        }
    }
}
