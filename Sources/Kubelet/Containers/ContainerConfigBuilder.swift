import Foundation
import KubeAPI
import Images
import Runtime

/// The pod-level facts a container's config depends on.
public struct PodContext: Sendable {
    public var pod: Pod
    public var podIP: String?
    public var hostIP: String?
    /// Host path of each of the pod's volumes, by volume name.
    public var volumePaths: [String: String]
    /// Volumes that are mounted read-only whatever the volumeMount says (secrets, configMaps).
    public var readOnlyVolumes: Set<String>
    /// The pod's generated /etc/hosts, /etc/resolv.conf and /etc/hostname on the host.
    public var etcHosts: String?
    public var resolvConf: String?
    public var hostnameFile: String?
    /// Reads a ConfigMap or Secret key for env: (kind, namespace, name, key) → value, nil when
    /// the object or key is missing.
    public var lookup: @Sendable (_ kind: String, _ namespace: String, _ name: String, _ key: String?) -> [String: String]?

    public init(
        pod: Pod, podIP: String? = nil, hostIP: String? = nil, volumePaths: [String: String] = [:],
        readOnlyVolumes: Set<String> = [], etcHosts: String? = nil, resolvConf: String? = nil,
        hostnameFile: String? = nil,
        lookup: @escaping @Sendable (String, String, String, String?) -> [String: String]? = { _, _, _, _ in nil }
    ) {
        self.pod = pod
        self.podIP = podIP
        self.hostIP = hostIP
        self.volumePaths = volumePaths
        self.readOnlyVolumes = readOnlyVolumes
        self.etcHosts = etcHosts
        self.resolvConf = resolvConf
        self.hostnameFile = hostnameFile
        self.lookup = lookup
    }
}

/// A container that cannot be configured: the status shows `CreateContainerConfigError`
/// with this message, as upstream.
public struct ContainerConfigError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Turns a pod's container, its image and the pod's context into a `ContainerConfig`,
/// following the kubelet: command/args over Entrypoint/Cmd, env with `$(VAR)` expansion and
/// downward-API fields, securityContext, resources as cgroup values, volume mounts.
public enum ContainerConfigBuilder {
    /// `image` is the image config's defaults; `users` the rootfs's passwd and group files.
    public static func build(
        container: Container, image: ImageConfig.ContainerDefaults?, users: UserDatabase, context: PodContext
    ) throws -> ContainerConfig {
        var config = ContainerConfig()
        let env = try environment(container: container, context: context)
        let variables = Dictionary(env.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        let podSecurity = context.pod.spec.securityContext
        let security = container.securityContext
        let runAsUser = security?.runAsUser ?? podSecurity?.runAsUser
        let runAsGroup = security?.runAsGroup ?? podSecurity?.runAsGroup
        let process: ProcessDefaults
        do {
            process = try ProcessDefaults.resolve(
                image: image,
                container: ProcessDefaults.Container(
                    command: (container.command ?? []).map { expand($0, variables) },
                    args: (container.args ?? []).map { expand($0, variables) },
                    env: env.map { ProcessDefaults.EnvVar($0.name, $0.value) }, workingDir: container.workingDir,
                    runAsUser: runAsUser.map(Int64.init), runAsGroup: runAsUser == nil ? nil : runAsGroup.map(Int64.init)),
                users: users)
        } catch let failure as ProcessDefaults.Failure {
            throw ContainerConfigError(failure.description)
        }
        config.args = process.argv
        config.env = process.env
        if !config.env.contains(where: { $0.hasPrefix("HOME=") }) {
            config.env.append("HOME=\(process.user.home.flatMap { $0.isEmpty ? nil : $0 } ?? "/")")
        }
        config.workingDir = process.workingDir
        config.uid = process.user.uid
        // runAsGroup alone changes the group of the image's user, as upstream.
        config.gid = runAsGroup.map(UInt32.init) ?? process.user.gid
        config.additionalGids = process.user.additionalGids + (podSecurity?.supplementalGroups ?? []).map { UInt32($0) }
            + (podSecurity?.fsGroup.map { [UInt32($0)] } ?? [])
        if security?.runAsNonRoot ?? podSecurity?.runAsNonRoot ?? false {
            let imageUser = image?.user ?? ""
            let numeric = imageUser.isEmpty || UInt32(imageUser.split(separator: ":")[0]) != nil
            if runAsUser == nil && !numeric {
                throw ContainerConfigError("container has runAsNonRoot and image has non-numeric user (\(imageUser)), cannot verify user is non-root")
            }
            if config.uid == 0 {
                throw ContainerConfigError("container has runAsNonRoot and image will run as root (pod: \"\(context.pod.metadata.name ?? "")\", container: \(container.name))")
            }
        }
        applySecurity(container: container, pod: context.pod, to: &config)
        applyResources(container.resources, to: &config)
        config.mounts = try mounts(container: container, context: context)
        config.tty = container.tty ?? false
        return config
    }

    // MARK: Environment

    static func environment(container: Container, context: PodContext) throws -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        func set(_ name: String, _ value: String) {
            if let index = result.firstIndex(where: { $0.name == name }) {
                result[index].value = value
            } else {
                result.append((name, value))
            }
        }
        let namespace = context.pod.metadata.namespaceOrDefault
        for source in container.envFrom ?? [] {
            let prefix = source.prefix ?? ""
            if let ref = source.configMapRef {
                let name = ref.name ?? ""
                guard let data = context.lookup("ConfigMap", namespace, name, nil) else {
                    if ref.optional == true { continue }
                    throw ContainerConfigError("configmap \"\(name)\" not found")
                }
                for (key, value) in data.sorted(by: { $0.key < $1.key }) { set(prefix + key, value) }
            }
            if let ref = source.secretRef {
                let name = ref.name ?? ""
                guard let data = context.lookup("Secret", namespace, name, nil) else {
                    if ref.optional == true { continue }
                    throw ContainerConfigError("secret \"\(name)\" not found")
                }
                for (key, value) in data.sorted(by: { $0.key < $1.key }) { set(prefix + key, value) }
            }
        }
        // Each value may refer to the variables defined before it, as upstream expands them.
        for variable in container.env ?? [] {
            let defined = Dictionary(result.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
            if let value = variable.value {
                set(variable.name, expand(value, defined))
            } else if let source = variable.valueFrom {
                guard let value = try resolve(source, container: container, context: context) else { continue }
                set(variable.name, value)
            } else {
                set(variable.name, "")
            }
        }
        return result
    }

    static func resolve(_ source: EnvVarSource, container: Container, context: PodContext) throws -> String? {
        let pod = context.pod
        let namespace = pod.metadata.namespaceOrDefault
        if let field = source.fieldRef {
            return try fieldValue(field.fieldPath, context: context)
        }
        if let field = source.resourceFieldRef {
            return try resourceValue(field, container: container, pod: pod)
        }
        if let ref = source.configMapKeyRef {
            let name = ref.name ?? ""
            guard let data = context.lookup("ConfigMap", namespace, name, ref.key) else {
                if ref.optional == true { return nil }
                throw ContainerConfigError("configmap \"\(name)\" not found")
            }
            guard let value = data[ref.key] else {
                if ref.optional == true { return nil }
                throw ContainerConfigError("couldn't find key \(ref.key) in ConfigMap \(namespace)/\(name)")
            }
            return value
        }
        if let ref = source.secretKeyRef {
            let name = ref.name ?? ""
            guard let data = context.lookup("Secret", namespace, name, ref.key) else {
                if ref.optional == true { return nil }
                throw ContainerConfigError("secret \"\(name)\" not found")
            }
            guard let value = data[ref.key] else {
                if ref.optional == true { return nil }
                throw ContainerConfigError("couldn't find key \(ref.key) in Secret \(namespace)/\(name)")
            }
            return value
        }
        return nil
    }

    /// The downward API's fieldRef paths.
    static func fieldValue(_ path: String, context: PodContext) throws -> String {
        let meta = context.pod.metadata
        switch path {
        case "metadata.name": return meta.name ?? ""
        case "metadata.namespace": return meta.namespaceOrDefault
        case "metadata.uid": return meta.uid ?? ""
        case "spec.nodeName": return context.pod.spec.nodeName ?? ""
        case "spec.serviceAccountName": return context.pod.spec.serviceAccountName ?? ""
        case "status.podIP", "status.podIPs": return context.podIP ?? ""
        case "status.hostIP", "status.hostIPs": return context.hostIP ?? ""
        default:
            for (prefix, map) in [("metadata.labels", meta.labels), ("metadata.annotations", meta.annotations)]
            where path.hasPrefix(prefix + "['") && path.hasSuffix("']") {
                let key = String(path.dropFirst(prefix.count + 2).dropLast(2))
                return map?[key] ?? ""
            }
            throw ContainerConfigError("unsupported fieldRef \(path)")
        }
    }

    static func resourceValue(_ field: ResourceFieldSelector, container: Container, pod: Pod) throws -> String {
        let target = field.containerName.flatMap { name in
            (pod.spec.containers + (pod.spec.initContainers ?? [])).first { $0.name == name }
        } ?? container
        let parts = field.resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == "limits" || parts[0] == "requests" else {
            throw ContainerConfigError("unsupported resourceFieldRef \(field.resource)")
        }
        let table = parts[0] == "limits" ? target.resources?.limits : target.resources?.requests
        let isCPU = parts[1] == "cpu"
        guard let quantity = table?[parts[1]] else {
            // Unset limits report the node's allocatable, as upstream; requests report 0.
            if parts[0] == "requests" { return "0" }
            return isCPU ? String(ProcessInfo.processInfo.activeProcessorCount)
                : String(ProcessInfo.processInfo.physicalMemory)
        }
        let divisor = field.divisor ?? (isCPU ? "1" : "1")
        // ceil(quantity / divisor), in milli units to keep fractional CPUs exact.
        let numerator = quantity.milliValue
        let denominator = max(divisor.milliValue, 1)
        return String((numerator + denominator - 1) / denominator)
    }

    static func expand(_ text: String, _ env: [String: String]) -> String {
        EnvExpansion.expand(text, variables: env)
    }

    // MARK: Security

    static func applySecurity(container: Container, pod: Pod, to config: inout ContainerConfig) {
        let security = container.securityContext
        config.privileged = security?.privileged ?? false
        config.capabilitiesAdd = (security?.capabilities?.add ?? []).map(capabilityName)
        config.capabilitiesDrop = (security?.capabilities?.drop ?? []).map(capabilityName)
        config.readOnlyRootfs = security?.readOnlyRootFilesystem ?? false
        config.noNewPrivileges = security?.allowPrivilegeEscalation == false
        let profile = security?.seccompProfile?.type ?? pod.spec.securityContext?.seccompProfile?.type
        // Swiftlet runs RuntimeDefault unless told Unconfined (the kubelet's --seccomp-default).
        config.seccompRuntimeDefault = !config.privileged && profile != "Unconfined"
    }

    /// `NET_ADMIN` → `CAP_NET_ADMIN`; `ALL` stays.
    static func capabilityName(_ name: String) -> String {
        let upper = name.uppercased()
        return upper == "ALL" || upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
    }

    /// requests/limits → cgroup values, as the kubelet computes them.
    static func applyResources(_ resources: ResourceRequirements?, to config: inout ContainerConfig) {
        let limits = resources?.limits ?? [:]
        let requests = resources?.requests ?? [:]
        if let memory = limits["memory"] { config.memoryLimit = memory.value }
        // An unset request defaults to the limit.
        if let cpu = requests["cpu"] ?? limits["cpu"] {
            config.cpuShares = UInt64(max(2, cpu.milliValue * 1024 / 1000))
        } else {
            config.cpuShares = 2
        }
        if let cpu = limits["cpu"] {
            config.cpuPeriod = 100_000
            config.cpuQuota = max(1000, cpu.milliValue * 100_000 / 1000)
        }
    }

    // MARK: Mounts

    static func mounts(container: Container, context: PodContext) throws -> [ContainerConfig.Mount] {
        var mounts: [ContainerConfig.Mount] = []
        let declared = Set((container.volumeMounts ?? []).map(\.mountPath))
        // The pod's own network files, unless a volume is mounted there.
        for (source, destination) in [(context.etcHosts, "/etc/hosts"), (context.resolvConf, "/etc/resolv.conf"), (context.hostnameFile, "/etc/hostname")] {
            if let source, !declared.contains(destination) {
                mounts.append(.init(source: source, destination: destination, readOnly: false))
            }
        }
        for mount in container.volumeMounts ?? [] {
            guard let volume = context.volumePaths[mount.name] else {
                throw ContainerConfigError("volumeMount \(mount.name): no such volume in the pod")
            }
            var source = volume
            if let subPath = mount.subPath, !subPath.isEmpty {
                do {
                    source = try SubPath.resolve(volume: volume, subPath: subPath)
                } catch {
                    throw ContainerConfigError("failed to prepare subPath for volumeMount \"\(mount.name)\" of container \"\(container.name)\": \(error)")
                }
            }
            let readOnly = (mount.readOnly ?? false) || context.readOnlyVolumes.contains(mount.name)
            mounts.append(.init(source: source, destination: mount.mountPath, readOnly: readOnly))
        }
        return mounts
    }
}
