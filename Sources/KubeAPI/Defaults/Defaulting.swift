/// Upstream's defaulting (`SetDefaults_*` in k8s.io/kubernetes/pkg/apis/*/v1), applied by the
/// decoder before validation, so every consumer sees the values the API server would store.
extension KubeObject {
    /// Fills unset fields with upstream's defaults.
    public mutating func applyDefaults() {
        switch self {
        case .pod(var o): o.applyDefaults(); self = .pod(o)
        case .service(var o): o.applyDefaults(); self = .service(o)
        case .endpoints(var o): o.applyDefaults(); self = .endpoints(o)
        case .endpointSlice(var o): o.applyDefaults(); self = .endpointSlice(o)
        case .deployment(var o): o.applyDefaults(); self = .deployment(o)
        case .replicaSet(var o): o.applyDefaults(); self = .replicaSet(o)
        case .daemonSet(var o): o.applyDefaults(); self = .daemonSet(o)
        case .job(var o): o.applyDefaults(); self = .job(o)
        case .cronJob(var o): o.applyDefaults(); self = .cronJob(o)
        case .configMap(var o): o.metadata.defaultNamespace(); self = .configMap(o)
        case .secret(var o): o.applyDefaults(); self = .secret(o)
        case .namespace(var o):
            if o.status == nil { o.status = NamespaceStatus(phase: "Active") }
            self = .namespace(o)
        }
    }
}

extension ObjectMeta {
    /// The namespace objects land in when the manifest names none.
    public static let defaultNamespace = "default"

    /// `namespace`, or `default` when it is unset: what defaulting writes, for readers of
    /// objects that may not have been defaulted.
    public var namespaceOrDefault: String { namespace ?? Self.defaultNamespace }

    mutating func defaultNamespace() {
        if namespace == nil || namespace == "" { namespace = ObjectMeta.defaultNamespace }
    }
}

extension Pod {
    /// Fills unset fields with upstream's defaults (namespace `default`, spec defaults).
    public mutating func applyDefaults() {
        metadata.defaultNamespace()
        spec.applyDefaults()
    }
}

extension PodTemplateSpec {
    mutating func applyDefaults() { spec.applyDefaults() }
}

extension PodSpec {
    /// Upstream's `DefaultTerminationGracePeriodSeconds`.
    public static let defaultTerminationGracePeriodSeconds = 30

    /// The grace period a pod's containers get to stop: its own, else the default.
    public var gracePeriodSeconds: Int { terminationGracePeriodSeconds ?? Self.defaultTerminationGracePeriodSeconds }

    /// Upstream `SetDefaults_PodSpec` plus the per-container, per-volume defaults.
    public mutating func applyDefaults() {
        if restartPolicy.isUnset { restartPolicy = .always }
        if dnsPolicy.isUnset { dnsPolicy = .clusterFirst }
        if terminationGracePeriodSeconds == nil { terminationGracePeriodSeconds = Self.defaultTerminationGracePeriodSeconds }
        if securityContext == nil { securityContext = PodSecurityContext() }
        if schedulerName == nil { schedulerName = "default-scheduler" }
        if enableServiceLinks == nil { enableServiceLinks = true }
        if hostNetwork == true {
            // Upstream: host-network pods publish their container ports on the host.
            for index in containers.indices { containers[index].defaultHostPorts() }
            for index in (initContainers ?? []).indices { initContainers![index].defaultHostPorts() }
        }
        for index in containers.indices { containers[index].applyDefaults() }
        if initContainers != nil {
            for index in initContainers!.indices { initContainers![index].applyDefaults() }
        }
        if volumes != nil {
            for index in volumes!.indices { volumes![index].applyDefaults() }
        }
    }
}

extension Container {
    /// Upstream `SetDefaults_Container` and friends.
    public mutating func applyDefaults() {
        if imagePullPolicy.isUnset { imagePullPolicy = Container.defaultPullPolicy(image: image) }
        if terminationMessagePath == nil { terminationMessagePath = "/dev/termination-log" }
        if terminationMessagePolicy.isUnset { terminationMessagePolicy = .file }
        if ports != nil {
            for index in ports!.indices where ports![index].protocol.isUnset { ports![index].protocol = .tcp }
        }
        if env != nil {
            for index in env!.indices where env![index].valueFrom?.fieldRef != nil
                && env![index].valueFrom?.fieldRef?.apiVersion == nil
            {
                env![index].valueFrom!.fieldRef!.apiVersion = "v1"
            }
        }
        // A limit without a request requests the limit (upstream SetDefaults_Pod).
        if let limits = resources?.limits, !limits.isEmpty {
            var requests = resources?.requests ?? [:]
            for (name, limit) in limits where requests[name] == nil { requests[name] = limit }
            resources!.requests = requests
        }
        livenessProbe?.applyDefaults()
        readinessProbe?.applyDefaults()
        startupProbe?.applyDefaults()
        lifecycle?.postStart?.httpGet?.applyDefaults()
        lifecycle?.preStop?.httpGet?.applyDefaults()
    }

    mutating func defaultHostPorts() {
        guard ports != nil else { return }
        for index in ports!.indices where ports![index].hostPort == nil {
            ports![index].hostPort = ports![index].containerPort
        }
    }

    /// `Always` for `:latest` or an untagged image, else `IfNotPresent` (a digest counts as a tag).
    public static func defaultPullPolicy(image: String?) -> PullPolicy {
        guard let image, !image.isEmpty else { return .ifNotPresent }
        if image.contains("@") { return .ifNotPresent }
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else { return .always }
        return lastComponent[lastComponent.index(after: colon)...] == "latest" ? .always : .ifNotPresent
    }
}

extension Probe {
    /// Upstream defaults: timeout 1 s, period 10 s, success 1, failure 3.
    public mutating func applyDefaults() {
        if timeoutSeconds == nil || timeoutSeconds == 0 { timeoutSeconds = 1 }
        if periodSeconds == nil || periodSeconds == 0 { periodSeconds = 10 }
        if successThreshold == nil || successThreshold == 0 { successThreshold = 1 }
        if failureThreshold == nil || failureThreshold == 0 { failureThreshold = 3 }
        if initialDelaySeconds == nil { initialDelaySeconds = 0 }
        httpGet?.applyDefaults()
    }
}

extension HTTPGetAction {
    /// Upstream defaults: path `/`, scheme HTTP.
    public mutating func applyDefaults() {
        if path == nil || path == "" { path = "/" }
        if scheme.isUnset { scheme = .http }
    }
}

extension Volume {
    /// File modes default to 0644; a hostPath type to "" (no check).
    public mutating func applyDefaults() {
        if secret != nil, secret!.defaultMode == nil { secret!.defaultMode = 0o644 }
        if configMap != nil, configMap!.defaultMode == nil { configMap!.defaultMode = 0o644 }
        if projected != nil, projected!.defaultMode == nil { projected!.defaultMode = 0o644 }
        if downwardAPI != nil, downwardAPI!.defaultMode == nil { downwardAPI!.defaultMode = 0o644 }
        if hostPath != nil, hostPath!.type == nil { hostPath!.type = .unset }
        if emptyDir != nil, emptyDir!.medium == nil { emptyDir!.medium = .default }
    }
}

extension Service {
    /// Upstream defaults: type ClusterIP, sessionAffinity None, protocol TCP, targetPort = port.
    public mutating func applyDefaults() {
        metadata.defaultNamespace()
        if spec.type.isUnset { spec.type = .clusterIP }
        if spec.sessionAffinity.isUnset { spec.sessionAffinity = ServiceAffinity.none }
        if spec.sessionAffinity == .clientIP, spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == nil {
            spec.sessionAffinityConfig = SessionAffinityConfig(clientIP: ClientIPConfig(timeoutSeconds: 10800))
        }
        if spec.type != .externalName {
            if spec.internalTrafficPolicy == nil { spec.internalTrafficPolicy = "Cluster" }
        }
        if spec.type == .nodePort || spec.type == .loadBalancer, spec.externalTrafficPolicy == nil {
            spec.externalTrafficPolicy = "Cluster"
        }
        if spec.type == .loadBalancer, spec.allocateLoadBalancerNodePorts == nil {
            spec.allocateLoadBalancerNodePorts = true
        }
        if spec.ports != nil {
            for index in spec.ports!.indices {
                if spec.ports![index].protocol.isUnset { spec.ports![index].protocol = .tcp }
                if spec.ports![index].targetPort == nil || spec.ports![index].targetPort == .int(0)
                    || spec.ports![index].targetPort == .string("")
                {
                    spec.ports![index].targetPort = .int(spec.ports![index].port)
                }
            }
        }
    }
}

extension Endpoints {
    mutating func applyDefaults() {
        metadata.defaultNamespace()
        guard subsets != nil else { return }
        for s in subsets!.indices where subsets![s].ports != nil {
            for p in subsets![s].ports!.indices where subsets![s].ports![p].protocol.isUnset {
                subsets![s].ports![p].protocol = .tcp
            }
        }
    }
}

extension EndpointSlice {
    mutating func applyDefaults() {
        metadata.defaultNamespace()
        guard ports != nil else { return }
        for index in ports!.indices where ports![index].protocol.isUnset { ports![index].protocol = .tcp }
    }
}

extension Deployment {
    /// Upstream defaults: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10,
    /// progressDeadlineSeconds 600.
    public mutating func applyDefaults() {
        metadata.defaultNamespace()
        if spec.replicas == nil { spec.replicas = DeploymentSpec.defaultReplicas }
        if spec.strategy == nil { spec.strategy = DeploymentStrategy() }
        if spec.strategy!.type.isUnset { spec.strategy!.type = .rollingUpdate }
        if spec.strategy!.type == .rollingUpdate {
            if spec.strategy!.rollingUpdate == nil { spec.strategy!.rollingUpdate = RollingUpdateDeployment() }
            if spec.strategy!.rollingUpdate!.maxUnavailable == nil {
                spec.strategy!.rollingUpdate!.maxUnavailable = .string("25%")
            }
            if spec.strategy!.rollingUpdate!.maxSurge == nil { spec.strategy!.rollingUpdate!.maxSurge = .string("25%") }
        }
        if spec.revisionHistoryLimit == nil { spec.revisionHistoryLimit = DeploymentSpec.defaultRevisionHistoryLimit }
        if spec.progressDeadlineSeconds == nil { spec.progressDeadlineSeconds = DeploymentSpec.defaultProgressDeadlineSeconds }
        spec.template.applyDefaults()
    }
}

extension ReplicaSet {
    /// Upstream defaults: replicas 1.
    public mutating func applyDefaults() {
        metadata.defaultNamespace()
        if spec.replicas == nil { spec.replicas = ReplicaSetSpec.defaultReplicas }
        spec.template?.applyDefaults()
    }
}

extension DaemonSet {
    /// Upstream defaults: RollingUpdate with maxUnavailable 1 and maxSurge 0, history 10.
    public mutating func applyDefaults() {
        metadata.defaultNamespace()
        if spec.updateStrategy == nil { spec.updateStrategy = DaemonSetUpdateStrategy() }
        if spec.updateStrategy!.type == nil { spec.updateStrategy!.type = "RollingUpdate" }
        if spec.updateStrategy!.type == "RollingUpdate" {
            if spec.updateStrategy!.rollingUpdate == nil { spec.updateStrategy!.rollingUpdate = RollingUpdateDaemonSet() }
            if spec.updateStrategy!.rollingUpdate!.maxUnavailable == nil {
                spec.updateStrategy!.rollingUpdate!.maxUnavailable = .int(1)
            }
            if spec.updateStrategy!.rollingUpdate!.maxSurge == nil { spec.updateStrategy!.rollingUpdate!.maxSurge = .int(0) }
        }
        if spec.revisionHistoryLimit == nil { spec.revisionHistoryLimit = 10 }
        spec.template.applyDefaults()
    }
}

extension JobSpec {
    /// Upstream `SetDefaults_Job`: completions and parallelism 1 when both unset,
    /// backoffLimit 6, completionMode NonIndexed, suspend false.
    public mutating func applyDefaults() {
        if completions == nil && parallelism == nil {
            completions = 1
            parallelism = Self.defaultParallelism
        }
        if parallelism == nil { parallelism = Self.defaultParallelism }
        if backoffLimit == nil { backoffLimit = defaultBackoffLimit }
        if completionMode == nil { completionMode = "NonIndexed" }
        if suspend == nil { suspend = false }
        if podReplacementPolicy == nil {
            podReplacementPolicy = podFailurePolicy == nil ? "TerminatingOrFailed" : "Failed"
        }
        template.applyDefaults()
    }
}

extension Job {
    /// Namespace and `JobSpec` defaults.
    public mutating func applyDefaults() {
        metadata.defaultNamespace()
        spec.applyDefaults()
    }
}

extension CronJob {
    /// Upstream defaults: concurrencyPolicy Allow, suspend false, history limits 3 and 1.
    public mutating func applyDefaults() {
        metadata.defaultNamespace()
        if spec.concurrencyPolicy.isUnset { spec.concurrencyPolicy = .allow }
        if spec.suspend == nil { spec.suspend = false }
        if spec.successfulJobsHistoryLimit == nil { spec.successfulJobsHistoryLimit = CronJobSpec.defaultSuccessfulJobsHistoryLimit }
        if spec.failedJobsHistoryLimit == nil { spec.failedJobsHistoryLimit = CronJobSpec.defaultFailedJobsHistoryLimit }
        spec.jobTemplate.spec.applyDefaults()
    }
}

extension Secret {
    /// Upstream defaults: type Opaque.
    public mutating func applyDefaults() {
        metadata.defaultNamespace()
        if type == nil || type == "" { type = Secret.opaqueType }
    }
}

extension Optional where Wrapped: OpenEnum {
    /// Unset as Go's defaulting sees it: absent or the empty string.
    var isUnset: Bool { self == nil || self!.rawValue.isEmpty }
}
