extension FieldValidator {
    mutating func validate(_ service: Service) {
        validateMeta(service.metadata, nameRule: .dns1035Label)
        let spec = service.spec
        let type = spec.type ?? .clusterIP
        validateEnum(spec.type, "spec.type")
        validateEnum(spec.sessionAffinity, "spec.sessionAffinity")

        if type == .externalName {
            if (spec.externalName ?? "").isEmpty {
                add(.required("spec.externalName"))
            } else {
                for problem in NameRules.dns1123SubdomainErrors(spec.externalName!.hasSuffix(".") ? String(spec.externalName!.dropLast()) : spec.externalName!) {
                    add(.invalid("spec.externalName", spec.externalName!, problem))
                }
            }
        }
        if let clusterIP = spec.virtualIP, !NameRules.isIP(clusterIP) {
            add(.invalid("spec.clusterIP", clusterIP, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
        }
        if spec.isHeadless, type == .nodePort || type == .loadBalancer {
            add(.invalid("spec.clusterIP", "None", "may not be set to 'None' for \(type.rawValue) services"))
        }
        for (index, ip) in (spec.externalIPs ?? []).enumerated() where !NameRules.isIP(ip) {
            add(.invalid("spec.externalIPs[\(index)]", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
        }

        let ports = spec.ports ?? []
        if ports.isEmpty, type != .externalName, !spec.isHeadless {
            add(.required("spec.ports"))
        }
        var names = Set<String>()
        var portKeys = Set<String>()
        var nodePortKeys = Set<String>()
        for (index, port) in ports.enumerated() {
            let here = "spec.ports[\(index)]"
            if let name = port.name, !name.isEmpty {
                for problem in NameRules.dns1123LabelErrors(name) { add(.invalid("\(here).name", name, problem)) }
                if !names.insert(name).inserted { add(.duplicate("\(here).name", name)) }
            } else if ports.count > 1 {
                add(.required("\(here).name"))
            }
            validatePortNumber(port.port, "\(here).port")
            validateEnum(port.protocol, "\(here).protocol")
            let proto = (port.protocol ?? .tcp).rawValue
            if !portKeys.insert("\(port.port)/\(proto)").inserted {
                add(.duplicate(here, "\(port.port)/\(proto)"))
            }
            if let target = port.targetPort { validatePortNumOrName(target, "\(here).targetPort") }
            if let nodePort = port.nodePort, nodePort != 0 {
                if type != .nodePort && type != .loadBalancer {
                    add(.forbidden("\(here).nodePort", "may not be used when `type` is '\(type.rawValue)'"))
                } else {
                    validatePortNumber(nodePort, "\(here).nodePort")
                    if !nodePortKeys.insert("\(nodePort)/\(proto)").inserted {
                        add(.duplicate("\(here).nodePort", "\(nodePort)/\(proto)"))
                    }
                }
            }
        }
        validateLabels(spec.selector, path: "spec.selector")
        if let timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds {
            if spec.sessionAffinity != .clientIP {
                add(.invalid("spec.sessionAffinityConfig", "", "must not be set when session affinity is None"))
            } else if !(1...86400).contains(timeout) {
                add(.invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout, "must be greater than 0 and less than 86400"))
            }
        }
        for (field, value) in [("spec.internalTrafficPolicy", spec.internalTrafficPolicy), ("spec.externalTrafficPolicy", spec.externalTrafficPolicy)] {
            if let value, !["Cluster", "Local"].contains(value) {
                add(.unsupported(field, value, supported: ["Cluster", "Local"]))
            }
        }
        for (index, ingress) in (service.status?.loadBalancer?.ingress ?? []).enumerated() {
            if let ip = ingress.ip, !NameRules.isIP(ip) {
                add(.invalid("status.loadBalancer.ingress[\(index)].ip", ip, "must be a valid IP address"))
            }
        }
    }

    mutating func validate(_ endpoints: Endpoints) {
        validateMeta(endpoints.metadata, nameRule: .dns1123Subdomain)
        for (s, subset) in (endpoints.subsets ?? []).enumerated() {
            let here = "subsets[\(s)]"
            for (kind, list) in [("addresses", subset.addresses), ("notReadyAddresses", subset.notReadyAddresses)] {
                for (index, address) in (list ?? []).enumerated() where !NameRules.isIP(address.ip) {
                    add(.invalid("\(here).\(kind)[\(index)].ip", address.ip, "must be a valid IP address"))
                }
            }
            for (index, port) in (subset.ports ?? []).enumerated() {
                validatePortNumber(port.port, "\(here).ports[\(index)].port")
                validateEnum(port.protocol, "\(here).ports[\(index)].protocol")
            }
        }
    }

    mutating func validate(_ slice: EndpointSlice) {
        validateMeta(slice.metadata, nameRule: .dns1123Subdomain)
        let types = ["IPv4", "IPv6", "FQDN"]
        if !types.contains(slice.addressType) { add(.unsupported("addressType", slice.addressType, supported: types)) }
        if slice.endpoints.count > 1000 {
            add(FieldError(field: "endpoints", message: "Too many: \(slice.endpoints.count): must have at most 1000 items"))
        }
        for (index, endpoint) in slice.endpoints.enumerated() {
            let here = "endpoints[\(index)].addresses"
            if endpoint.addresses.isEmpty { add(.required(here, "must contain at least 1 address")) }
            for (a, address) in endpoint.addresses.enumerated() {
                let valid: Bool
                switch slice.addressType {
                case "IPv4": valid = NameRules.isIPv4(address)
                case "IPv6": valid = NameRules.isIPv6(address)
                default: valid = NameRules.isDNS1123Subdomain(address)
                }
                if !valid { add(.invalid("\(here)[\(a)]", address, "must be a valid \(slice.addressType) address")) }
            }
        }
        for (index, port) in (slice.ports ?? []).enumerated() {
            if let number = port.port { validatePortNumber(number, "ports[\(index)].port") }
            validateEnum(port.protocol, "ports[\(index)].protocol")
        }
    }
}
