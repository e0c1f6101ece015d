/// Volume sources and the file lists of configMap, secret, projected and downwardAPI volumes.
extension FieldValidator {
    mutating func validateRelativePath(_ value: String, _ path: String) {
        if value.hasPrefix("/") { add(.invalid(path, value, "must be a relative path")) }
        if value.split(separator: "/").contains("..") { add(.invalid(path, value, "must not contain '..'")) }
    }

    mutating func validateMode(_ mode: Int?, _ path: String) {
        if let mode, !(0...0o777).contains(mode) {
            add(.invalid(path, mode, "must be a number between 0 and 0777 (octal), both inclusive"))
        }
    }

    mutating func validateItems(_ items: [KeyToPath]?, path: String) {
        for (index, item) in (items ?? []).enumerated() {
            let here = "\(path).items[\(index)]"
            if item.key.isEmpty { add(.required("\(here).key")) }
            if item.path.isEmpty { add(.required("\(here).path")) } else { validateRelativePath(item.path, "\(here).path") }
            validateMode(item.mode, "\(here).mode")
        }
    }

    mutating func validateVolumeSource(_ volume: Volume, path: String) {
        let sources: [(String, Bool)] = [
            ("hostPath", volume.hostPath != nil), ("emptyDir", volume.emptyDir != nil), ("secret", volume.secret != nil),
            ("configMap", volume.configMap != nil), ("projected", volume.projected != nil),
            ("downwardAPI", volume.downwardAPI != nil), ("persistentVolumeClaim", volume.persistentVolumeClaim != nil),
        ]
        let set = sources.filter(\.1)
        if set.isEmpty {
            add(.required(path, "must specify a volume type"))
        } else if set.count > 1 {
            add(.forbidden("\(path).\(set[1].0)", "may not specify more than 1 volume type"))
        }
        if let hostPath = volume.hostPath {
            if hostPath.path.isEmpty { add(.required("\(path).hostPath.path")) }
            if hostPath.path.split(separator: "/").contains("..") {
                add(.invalid("\(path).hostPath.path", hostPath.path, "must not contain '..'"))
            }
            validateEnum(hostPath.type, "\(path).hostPath.type")
        }
        if let emptyDir = volume.emptyDir {
            validateEnum(emptyDir.medium, "\(path).emptyDir.medium")
            if let limit = emptyDir.sizeLimit, limit.isNegative {
                add(.invalid("\(path).emptyDir.sizeLimit", limit.description, "must be greater than or equal to 0"))
            }
        }
        if let secret = volume.secret {
            if (secret.secretName ?? "").isEmpty { add(.required("\(path).secret.secretName")) }
            validateMode(secret.defaultMode, "\(path).secret.defaultMode")
            validateItems(secret.items, path: "\(path).secret")
        }
        if let configMap = volume.configMap {
            if (configMap.name ?? "").isEmpty { add(.required("\(path).configMap.name")) }
            validateMode(configMap.defaultMode, "\(path).configMap.defaultMode")
            validateItems(configMap.items, path: "\(path).configMap")
        }
        if let projected = volume.projected {
            validateMode(projected.defaultMode, "\(path).projected.defaultMode")
            for (index, source) in (projected.sources ?? []).enumerated() {
                let here = "\(path).projected.sources[\(index)]"
                if let secret = source.secret {
                    if (secret.name ?? "").isEmpty { add(.required("\(here).secret.name")) }
                    validateItems(secret.items, path: "\(here).secret")
                }
                if let configMap = source.configMap {
                    if (configMap.name ?? "").isEmpty { add(.required("\(here).configMap.name")) }
                    validateItems(configMap.items, path: "\(here).configMap")
                }
                for (fileIndex, file) in (source.downwardAPI?.items ?? []).enumerated() {
                    validateDownwardFile(file, path: "\(here).downwardAPI.items[\(fileIndex)]")
                }
            }
        }
        if let downward = volume.downwardAPI {
            validateMode(downward.defaultMode, "\(path).downwardAPI.defaultMode")
            for (index, file) in (downward.items ?? []).enumerated() {
                validateDownwardFile(file, path: "\(path).downwardAPI.items[\(index)]")
            }
        }
        if let claim = volume.persistentVolumeClaim, claim.claimName.isEmpty {
            add(.required("\(path).persistentVolumeClaim.claimName"))
        }
    }

    mutating func validateDownwardFile(_ file: DownwardAPIVolumeFile, path: String) {
        if file.path.isEmpty { add(.required("\(path).path")) } else { validateRelativePath(file.path, "\(path).path") }
        validateMode(file.mode, "\(path).mode")
        if let ref = file.fieldRef { validateFieldRef(ref, path: "\(path).fieldRef", wholeMaps: true) }
        if file.fieldRef == nil, file.resourceFieldRef == nil {
            add(.required(path, "one of fieldRef and resourceFieldRef is required"))
        }
    }
}
