extension FieldValidator {
    static let maxConfigSize = 1024 * 1024

    mutating func validate(_ configMap: ConfigMap) {
        validateMeta(configMap.metadata, nameRule: .dns1123Subdomain)
        var total = 0
        for (key, value) in (configMap.data ?? [:]).sorted(by: { $0.key < $1.key }) {
            for problem in NameRules.configKeyErrors(key) { add(.invalid("data", key, problem)) }
            if configMap.binaryData?[key] != nil {
                add(.invalid("data", key, "duplicate of key present in binaryData"))
            }
            total += value.utf8.count
        }
        for (key, value) in (configMap.binaryData ?? [:]).sorted(by: { $0.key < $1.key }) {
            for problem in NameRules.configKeyErrors(key) { add(.invalid("binaryData", key, problem)) }
            total += value.count
        }
        if total > FieldValidator.maxConfigSize {
            add(FieldError(field: "", message: "Too long: must have at most \(FieldValidator.maxConfigSize) bytes"))
        }
    }

    mutating func validate(_ secret: Secret) {
        validateMeta(secret.metadata, nameRule: .dns1123Subdomain)
        var total = 0
        let data = secret.data ?? [:]
        for (key, value) in data.sorted(by: { $0.key < $1.key }) {
            for problem in NameRules.configKeyErrors(key) { add(.invalid("data[\(key)]", key, problem)) }
            total += value.count
        }
        if total > FieldValidator.maxConfigSize {
            add(FieldError(field: "data", message: "Too long: must have at most \(FieldValidator.maxConfigSize) bytes"))
        }
        let type = secret.type ?? Secret.opaqueType
        func requireKeys(_ keys: [String]) {
            for key in keys where data[key] == nil { add(.required("data[\(key)]")) }
        }
        switch type {
        case "kubernetes.io/tls": requireKeys(["tls.crt", "tls.key"])
        case "kubernetes.io/dockerconfigjson": requireKeys([".dockerconfigjson"])
        case "kubernetes.io/dockercfg": requireKeys([".dockercfg"])
        case "kubernetes.io/ssh-auth": requireKeys(["ssh-privatekey"])
        case "kubernetes.io/basic-auth":
            if data["username"] == nil && data["password"] == nil {
                add(.required("data[username]", "either username or password or both must be provided"))
            }
        case "kubernetes.io/service-account-token":
            if secret.metadata.annotations?["kubernetes.io/service-account.name"] == nil {
                add(.required("metadata.annotations[kubernetes.io/service-account.name]"))
            }
        default:
            if type.isEmpty { add(.required("type")) }
        }
    }

    mutating func validate(_ namespace: Namespace) {
        validateMeta(namespace.metadata, nameRule: .dns1123Label, namespaced: false)
    }
}
