extension FieldValidator {
    mutating func validate(_ pod: Pod) {
        validateMeta(pod.metadata, nameRule: .dns1123Subdomain)
        validatePodSpec(pod.spec, path: "spec")
    }

    static let fieldRefPaths = [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ]
    static let resourceFieldRefs = [
        "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage",
        "requests.memory",
    ]

    mutating func validatePodSpec(_ spec: PodSpec, path: String) {
        // Volumes first: mounts refer to them.
        var volumeNames = Set<String>()
        for (index, volume) in (spec.volumes ?? []).enumerated() {
            let here = "\(path).volumes[\(index)]"
            if volume.name.isEmpty {
                add(.required("\(here).name"))
            } else {
                for problem in NameRules.dns1123LabelErrors(volume.name) { add(.invalid("\(here).name", volume.name, problem)) }
                if !volumeNames.insert(volume.name).inserted { add(.duplicate("\(here).name", volume.name)) }
            }
            validateVolumeSource(volume, path: here)
        }

        if spec.containers.isEmpty { add(.required("\(path).containers")) }
        var containerNames = Set<String>()
        var hostPorts = Set<String>()
        for (index, container) in (spec.initContainers ?? []).enumerated() {
            validateContainer(container, path: "\(path).initContainers[\(index)]", volumes: volumeNames,
                names: &containerNames, hostPorts: &hostPorts, isInit: true, podSpec: spec)
        }
        for (index, container) in spec.containers.enumerated() {
            validateContainer(container, path: "\(path).containers[\(index)]", volumes: volumeNames,
                names: &containerNames, hostPorts: &hostPorts, isInit: false, podSpec: spec)
        }

        validateEnum(spec.restartPolicy, "\(path).restartPolicy")
        validateEnum(spec.dnsPolicy, "\(path).dnsPolicy")
        validateNonNegative(spec.terminationGracePeriodSeconds, "\(path).terminationGracePeriodSeconds")
        validatePositive(spec.activeDeadlineSeconds, "\(path).activeDeadlineSeconds")
        if let hostname = spec.hostname, !hostname.isEmpty {
            for problem in NameRules.dns1123LabelErrors(hostname) { add(.invalid("\(path).hostname", hostname, problem)) }
        }
        if let subdomain = spec.subdomain, !subdomain.isEmpty {
            for problem in NameRules.dns1123LabelErrors(subdomain) { add(.invalid("\(path).subdomain", subdomain, problem)) }
        }
        if spec.shareProcessNamespace == true, spec.hostPID == true {
            add(.invalid("\(path).securityContext.shareProcessNamespace", true, "ShareProcessNamespace and HostPID cannot both be enabled"))
        }
        if spec.dnsPolicy == DNSPolicy.none, (spec.dnsConfig?.nameservers ?? []).isEmpty {
            add(.required("\(path).dnsConfig.nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is None"))
        }
        for (index, server) in (spec.dnsConfig?.nameservers ?? []).enumerated() where !NameRules.isIP(server) {
            add(.invalid("\(path).dnsConfig.nameservers[\(index)]", server, "must be valid IP address"))
        }
        if (spec.dnsConfig?.nameservers ?? []).count > 3 {
            add(.invalid("\(path).dnsConfig.nameservers", spec.dnsConfig!.nameservers!.joined(separator: ","), "must not have more than 3 nameservers"))
        }
        for (index, alias) in (spec.hostAliases ?? []).enumerated() where !NameRules.isIP(alias.ip ?? "") {
            add(.invalid("\(path).hostAliases[\(index)].ip", alias.ip ?? "", "must be valid IP address"))
        }
        if let security = spec.securityContext {
            let here = "\(path).securityContext"
            validateNonNegative(security.runAsUser, "\(here).runAsUser")
            validateNonNegative(security.runAsGroup, "\(here).runAsGroup")
            validateNonNegative(security.fsGroup, "\(here).fsGroup")
            for (index, group) in (security.supplementalGroups ?? []).enumerated() {
                validateNonNegative(group, "\(here).supplementalGroups[\(index)]")
            }
            if security.runAsNonRoot == true, security.runAsUser == 0 {
                add(.invalid("\(here).runAsNonRoot", true, "runAsUser 0 is not a non-root user"))
            }
        }
    }

    mutating func validateContainer(
        _ container: Container, path: String, volumes: Set<String>, names: inout Set<String>,
        hostPorts: inout Set<String>, isInit: Bool, podSpec: PodSpec
    ) {
        if container.name.isEmpty {
            add(.required("\(path).name"))
        } else {
            for problem in NameRules.dns1123LabelErrors(container.name) { add(.invalid("\(path).name", container.name, problem)) }
            if !names.insert(container.name).inserted { add(.duplicate("\(path).name", container.name)) }
        }
        if (container.image ?? "").trimmingSpaces.isEmpty {
            add(.required("\(path).image"))
        } else if container.image != container.image?.trimmingSpaces {
            add(.invalid("\(path).image", container.image!, "must not have leading or trailing whitespace"))
        }
        validateEnum(container.imagePullPolicy, "\(path).imagePullPolicy")
        validateEnum(container.terminationMessagePolicy, "\(path).terminationMessagePolicy")
        if let policy = container.restartPolicy {
            if !isInit {
                add(.forbidden("\(path).restartPolicy", "may not be set for non-init containers"))
            } else if policy != .always {
                add(.unsupported("\(path).restartPolicy", policy.rawValue, supported: ["Always"]))
            }
        }

        var portNames = Set<String>()
        for (index, port) in (container.ports ?? []).enumerated() {
            let here = "\(path).ports[\(index)]"
            if let name = port.name, !name.isEmpty {
                for problem in NameRules.portNameErrors(name) { add(.invalid("\(here).name", name, problem)) }
                if !portNames.insert(name).inserted { add(.duplicate("\(here).name", name)) }
            }
            validatePortNumber(port.containerPort, "\(here).containerPort")
            if let hostPort = port.hostPort, hostPort != 0 {
                validatePortNumber(hostPort, "\(here).hostPort")
                if podSpec.hostNetwork == true, hostPort != port.containerPort {
                    add(.invalid("\(here).containerPort", port.containerPort, "must match `hostPort` when `hostNetwork` is true"))
                }
                let key = "\(port.hostIP ?? "")/\(hostPort)/\((port.protocol ?? .tcp).rawValue)"
                if !hostPorts.insert(key).inserted {
                    add(.duplicate("\(here).hostPort", "\(hostPort)/\((port.protocol ?? .tcp).rawValue)"))
                }
            }
            validateEnum(port.protocol, "\(here).protocol")
        }

        validateEnv(container, path: path)
        validateResources(container.resources, path: "\(path).resources")

        var mountPaths = Set<String>()
        for (index, mount) in (container.volumeMounts ?? []).enumerated() {
            let here = "\(path).volumeMounts[\(index)]"
            if mount.name.isEmpty {
                add(.required("\(here).name"))
            } else if !volumes.contains(mount.name) {
                add(FieldError(field: "\(here).name", message: "Not found: \"\(mount.name)\""))
            }
            if mount.mountPath.isEmpty {
                add(.required("\(here).mountPath"))
            } else if !mountPaths.insert(mount.mountPath).inserted {
                add(.invalid("\(here).mountPath", mount.mountPath, "must be unique"))
            }
            if let subPath = mount.subPath, !subPath.isEmpty { validateRelativePath(subPath, "\(here).subPath") }
            if mount.subPath?.isEmpty == false, mount.subPathExpr?.isEmpty == false {
                add(.invalid("\(here).subPathExpr", mount.subPathExpr!, "subPathExpr and subPath are mutually exclusive"))
            }
        }

        if isInit {
            let sidecar = container.restartPolicy == .always
            if !sidecar {
                if container.livenessProbe != nil { add(.forbidden("\(path).livenessProbe", "may not be set for init containers without restartPolicy=Always")) }
                if container.readinessProbe != nil { add(.forbidden("\(path).readinessProbe", "may not be set for init containers without restartPolicy=Always")) }
                if container.startupProbe != nil { add(.forbidden("\(path).startupProbe", "may not be set for init containers without restartPolicy=Always")) }
                if container.lifecycle != nil { add(.forbidden("\(path).lifecycle", "may not be set for init containers without restartPolicy=Always")) }
            }
        }
        validateProbe(container.livenessProbe, path: "\(path).livenessProbe", isReadiness: false)
        validateProbe(container.readinessProbe, path: "\(path).readinessProbe", isReadiness: true)
        validateProbe(container.startupProbe, path: "\(path).startupProbe", isReadiness: false)
        validateHandler(container.lifecycle?.postStart, path: "\(path).lifecycle.postStart")
        validateHandler(container.lifecycle?.preStop, path: "\(path).lifecycle.preStop")

        if let security = container.securityContext {
            let here = "\(path).securityContext"
            validateNonNegative(security.runAsUser, "\(here).runAsUser")
            validateNonNegative(security.runAsGroup, "\(here).runAsGroup")
            if security.privileged == true, security.allowPrivilegeEscalation == false {
                add(.invalid(here, "", "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
            }
            if security.runAsNonRoot == true, security.runAsUser == 0 {
                add(.invalid("\(here).runAsNonRoot", true, "runAsUser 0 is not a non-root user"))
            }
            if let type = security.seccompProfile?.type,
                !["RuntimeDefault", "Unconfined", "Localhost"].contains(type)
            {
                add(.unsupported("\(here).seccompProfile.type", type, supported: ["Localhost", "RuntimeDefault", "Unconfined"]))
            }
        }
    }

    mutating func validateEnv(_ container: Container, path: String) {
        for (index, variable) in (container.env ?? []).enumerated() {
            let here = "\(path).env[\(index)]"
            if variable.name.isEmpty {
                add(.required("\(here).name"))
            } else {
                for problem in NameRules.envVarNameErrors(variable.name) { add(.invalid("\(here).name", variable.name, problem)) }
            }
            guard let source = variable.valueFrom else { continue }
            let sourcesSet = [source.fieldRef != nil, source.resourceFieldRef != nil, source.configMapKeyRef != nil,
                source.secretKeyRef != nil].filter { $0 }.count
            if let value = variable.value, !value.isEmpty {
                add(.invalid("\(here).valueFrom", "", "may not be specified when `value` is not empty"))
            }
            if sourcesSet == 0 {
                add(.invalid("\(here).valueFrom", "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
            } else if sourcesSet > 1 {
                add(.invalid("\(here).valueFrom", "", "may not have more than one field specified at a time"))
            }
            if let ref = source.fieldRef {
                validateFieldRef(ref, path: "\(here).valueFrom.fieldRef")
            }
            if let ref = source.resourceFieldRef {
                let resourcePath = "\(here).valueFrom.resourceFieldRef.resource"
                if ref.resource.isEmpty {
                    add(.required(resourcePath))
                } else if !FieldValidator.resourceFieldRefs.contains(ref.resource) {
                    add(.unsupported(resourcePath, ref.resource, supported: FieldValidator.resourceFieldRefs))
                }
                if let divisor = ref.divisor, divisor.nanoValue <= 0 {
                    add(.invalid("\(here).valueFrom.resourceFieldRef.divisor", divisor.description, "must be greater than zero"))
                }
            }
            if let ref = source.configMapKeyRef {
                validateKeyRef(name: ref.name, key: ref.key, path: "\(here).valueFrom.configMapKeyRef")
            }
            if let ref = source.secretKeyRef {
                validateKeyRef(name: ref.name, key: ref.key, path: "\(here).valueFrom.secretKeyRef")
            }
        }
        for (index, source) in (container.envFrom ?? []).enumerated() {
            let here = "\(path).envFrom[\(index)]"
            if let prefix = source.prefix, !prefix.isEmpty {
                for problem in NameRules.envVarNameErrors(prefix) { add(.invalid("\(here).prefix", prefix, problem)) }
            }
            switch (source.configMapRef, source.secretRef) {
            case (nil, nil):
                add(.invalid(here, "", "must specify one of: `configMapRef` or `secretRef`"))
            case (.some, .some):
                add(.invalid(here, "", "may not have more than one field specified at a time"))
            case (let ref?, nil):
                if (ref.name ?? "").isEmpty { add(.required("\(here).configMapRef.name")) }
            case (nil, let ref?):
                if (ref.name ?? "").isEmpty { add(.required("\(here).secretRef.name")) }
            }
        }
    }

    mutating func validateFieldRef(_ ref: ObjectFieldSelector, path: String, wholeMaps: Bool = false) {
        if ref.fieldPath.isEmpty {
            add(.required("\(path).fieldPath"))
            return
        }
        if let apiVersion = ref.apiVersion, apiVersion != "v1" {
            add(.unsupported("\(path).apiVersion", apiVersion, supported: ["v1"]))
        }
        for prefix in ["metadata.labels['", "metadata.annotations['"] where ref.fieldPath.hasPrefix(prefix) {
            let key = ref.fieldPath.dropFirst(prefix.count)
            if key.hasSuffix("']") {
                for problem in NameRules.qualifiedNameErrors(String(key.dropLast(2))) {
                    add(.invalid("\(path).fieldPath", ref.fieldPath, problem))
                }
                return
            }
        }
        if wholeMaps, ref.fieldPath == "metadata.labels" || ref.fieldPath == "metadata.annotations" { return }
        if !FieldValidator.fieldRefPaths.contains(ref.fieldPath) {
            add(.unsupported("\(path).fieldPath", ref.fieldPath,
                supported: ["metadata.annotations", "metadata.labels"] + FieldValidator.fieldRefPaths))
        }
    }

    mutating func validateKeyRef(name: String?, key: String, path: String) {
        if let name, !name.isEmpty {
            for problem in NameRules.dns1123SubdomainErrors(name) { add(.invalid("\(path).name", name, problem)) }
        } else {
            add(.required("\(path).name"))
        }
        if key.isEmpty {
            add(.required("\(path).key"))
        } else {
            for problem in NameRules.configKeyErrors(key) { add(.invalid("\(path).key", key, problem)) }
        }
    }

    static let standardResources: Set<String> = ["cpu", "memory", "ephemeral-storage", "storage", "pods"]

    mutating func validateResources(_ resources: ResourceRequirements?, path: String) {
        guard let resources else { return }
        for (section, map) in [("limits", resources.limits), ("requests", resources.requests)] {
            for (name, quantity) in (map ?? [:]).sorted(by: { $0.key < $1.key }) {
                let here = "\(path).\(section)[\(name)]"
                if !FieldValidator.standardResources.contains(name) && !name.hasPrefix("hugepages-") && !name.contains("/") {
                    add(.invalid(here, name, "must be a standard resource type or fully qualified"))
                }
                if quantity.isNegative {
                    add(.invalid(here, quantity.description, "must be greater than or equal to 0"))
                }
                if name == "cpu", quantity.nanoValue > Int128(Int64.max / 1000) * Quantity.nano {
                    add(.invalid(here, quantity.description, "must be less than or equal to \(Int64.max / 1000)"))
                }
            }
        }
        for (name, request) in (resources.requests ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let limit = resources.limits?[name], request > limit {
                add(.invalid("\(path).requests", request.description, "must be less than or equal to \(name) limit of \(limit)"))
            }
        }
    }

    /// Liveness and startup probes need successThreshold 1 and may set their own grace
    /// period; readiness probes may not, as upstream.
    mutating func validateProbe(_ probe: Probe?, path: String, isReadiness: Bool) {
        guard let probe else { return }
        let handlers = [probe.exec != nil, probe.httpGet != nil, probe.tcpSocket != nil, probe.grpc != nil].filter { $0 }.count
        if handlers == 0 {
            add(.required(path, "must specify a handler type"))
        } else if handlers > 1 {
            add(.forbidden(path, "may not specify more than 1 handler type"))
        }
        validateAction(exec: probe.exec, httpGet: probe.httpGet, tcpSocket: probe.tcpSocket, path: path)
        if let grpc = probe.grpc { validatePortNumber(grpc.port, "\(path).grpc.port") }
        // Zero means "default" (upstream int32 fields), so only negatives are refused.
        for (field, value) in [("initialDelaySeconds", probe.initialDelaySeconds), ("timeoutSeconds", probe.timeoutSeconds),
            ("periodSeconds", probe.periodSeconds), ("successThreshold", probe.successThreshold),
            ("failureThreshold", probe.failureThreshold)]
        {
            validateNonNegative(value, "\(path).\(field)")
        }
        if !isReadiness, let success = probe.successThreshold, success > 1 {
            add(.invalid("\(path).successThreshold", success, "must be 1"))
        }
        if let grace = probe.terminationGracePeriodSeconds {
            if isReadiness {
                add(.invalid("\(path).terminationGracePeriodSeconds", grace, "must not be set for readinessProbes"))
            } else if grace <= 0 {
                add(.invalid("\(path).terminationGracePeriodSeconds", grace, "must be greater than 0"))
            }
        }
    }

    mutating func validateHandler(_ handler: LifecycleHandler?, path: String) {
        guard let handler else { return }
        let handlers = [handler.exec != nil, handler.httpGet != nil, handler.tcpSocket != nil, handler.sleep != nil]
            .filter { $0 }.count
        if handlers == 0 {
            add(.required(path, "must specify a handler type"))
        } else if handlers > 1 {
            add(.forbidden(path, "may not specify more than 1 handler type"))
        }
        validateAction(exec: handler.exec, httpGet: handler.httpGet, tcpSocket: handler.tcpSocket, path: path)
        if let sleep = handler.sleep, sleep.seconds < 0 {
            add(.invalid("\(path).sleep.seconds", sleep.seconds, "must be greater than or equal to 0"))
        }
    }

    mutating func validateAction(exec: ExecAction?, httpGet: HTTPGetAction?, tcpSocket: TCPSocketAction?, path: String) {
        if let exec, (exec.command ?? []).isEmpty { add(.required("\(path).exec.command")) }
        if let httpGet {
            validatePortNumOrName(httpGet.port, "\(path).httpGet.port")
            validateEnum(httpGet.scheme, "\(path).httpGet.scheme")
            for (index, header) in (httpGet.httpHeaders ?? []).enumerated() where header.name.isEmpty
                || header.name.contains(where: { $0 == " " || $0 == ":" })
            {
                add(.invalid("\(path).httpGet.httpHeaders[\(index)].name", header.name, "a valid HTTP header must consist of alphanumeric characters or '-'"))
            }
        }
        if let tcpSocket { validatePortNumOrName(tcpSocket.port, "\(path).tcpSocket.port") }
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }
}
