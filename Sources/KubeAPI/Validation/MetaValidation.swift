/// How an object's name is checked.
enum NameRule {
    case dns1123Subdomain, dns1123Label, dns1035Label
}

extension FieldValidator {
    mutating func validateMeta(_ meta: ObjectMeta, path: String = "metadata", nameRule: NameRule, namespaced: Bool = true) {
        if let name = meta.name, !name.isEmpty {
            let problems: [String]
            switch nameRule {
            case .dns1123Subdomain: problems = NameRules.dns1123SubdomainErrors(name)
            case .dns1123Label: problems = NameRules.dns1123LabelErrors(name)
            case .dns1035Label: problems = NameRules.dns1035LabelErrors(name)
            }
            for problem in problems { add(.invalid("\(path).name", name, problem)) }
        } else if (meta.generateName ?? "").isEmpty {
            add(.required("\(path).name", "name or generateName is required"))
        }
        if namespaced, let namespace = meta.namespace, !namespace.isEmpty {
            for problem in NameRules.dns1123LabelErrors(namespace) { add(.invalid("\(path).namespace", namespace, problem)) }
        }
        if !namespaced, let namespace = meta.namespace, !namespace.isEmpty {
            add(.forbidden("\(path).namespace", "not allowed on this type"))
        }
        validateLabels(meta.labels, path: "\(path).labels")
        validateAnnotations(meta.annotations, path: "\(path).annotations")
        if let generation = meta.generation, generation < 0 {
            add(.invalid("\(path).generation", generation, "must be greater than or equal to 0"))
        }
    }

    mutating func validateLabels(_ labels: [String: String]?, path: String) {
        for (key, value) in (labels ?? [:]).sorted(by: { $0.key < $1.key }) {
            for problem in NameRules.qualifiedNameErrors(key) { add(.invalid(path, key, problem)) }
            for problem in NameRules.labelValueErrors(value) { add(.invalid("\(path)[\(key)]", value, problem)) }
        }
    }

    mutating func validateAnnotations(_ annotations: [String: String]?, path: String) {
        var total = 0
        for (key, value) in (annotations ?? [:]).sorted(by: { $0.key < $1.key }) {
            for problem in NameRules.qualifiedNameErrors(key.lowercased()) { add(.invalid(path, key, problem)) }
            total += key.utf8.count + value.utf8.count
        }
        if total > 256 * 1024 {
            add(FieldError(field: path, message: "Too long: must have at most 262144 bytes"))
        }
    }

    mutating func validateNonNegative(_ value: Int?, _ path: String) {
        if let value, value < 0 { add(.invalid(path, value, "must be greater than or equal to 0")) }
    }

    mutating func validatePositive(_ value: Int?, _ path: String) {
        if let value, value <= 0 { add(.invalid(path, value, "must be greater than zero")) }
    }

    mutating func validatePortNumber(_ value: Int, _ path: String) {
        if !(1...65535).contains(value) { add(.invalid(path, value, "must be between 1 and 65535, inclusive")) }
    }

    mutating func validatePortNumOrName(_ port: IntOrString, _ path: String) {
        switch port {
        case .int(let number):
            validatePortNumber(number, path)
        case .string(let name):
            if name.isEmpty {
                add(.required(path))
            } else {
                for problem in NameRules.portNameErrors(name) { add(.invalid(path, name, problem)) }
            }
        }
    }

    mutating func validateEnum<E: OpenEnum>(_ value: E?, _ path: String, required: Bool = false) {
        guard let value else {
            if required { add(.required(path)) }
            return
        }
        if !value.isSupported { add(.unsupported(path, value.rawValue, supported: E.supported.map(\.rawValue))) }
    }

    mutating func validateLabelSelector(_ selector: LabelSelector?, path: String) {
        guard let selector else { return }
        validateLabels(selector.matchLabels, path: "\(path).matchLabels")
        for (index, requirement) in (selector.matchExpressions ?? []).enumerated() {
            let here = "\(path).matchExpressions[\(index)]"
            for problem in NameRules.qualifiedNameErrors(requirement.key) { add(.invalid("\(here).key", requirement.key, problem)) }
            validateEnum(requirement.operator, "\(here).operator")
            let values = requirement.values ?? []
            switch requirement.operator {
            case .in, .notIn:
                if values.isEmpty { add(.required("\(here).values", "must be specified when `operator` is 'In' or 'NotIn'")) }
            case .exists, .doesNotExist:
                if !values.isEmpty { add(.forbidden("\(here).values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")) }
            default:
                break
            }
            for (valueIndex, value) in values.enumerated() {
                for problem in NameRules.labelValueErrors(value) { add(.invalid("\(here).values[\(valueIndex)]", value, problem)) }
            }
        }
    }
}
