import APIStore
import Foundation
import KubeAPI

/// What a write must pass before it is stored: a JSON body of the resource's kind, in the
/// request's namespace, valid by the same decoder, defaulting and validation as a manifest
/// file (so the API refuses what the manifest directory refuses, in the same words).
enum ObjectAdmission {
    /// The request body as an object of `type`; 400 when it is not one.
    static func parse(_ request: APIRequest, type: ResourceType, namespace: String?) throws -> JSONValue {
        var object = try body(request)
        // As the apiserver's decoder, a body without kind and apiVersion is of the URL's type.
        let kind = object["kind"]?.string ?? type.kind
        let apiVersion = object["apiVersion"]?.string ?? type.apiVersion
        object["kind"] = .string(kind)
        object["apiVersion"] = .string(apiVersion)
        guard kind == type.kind, apiVersion == type.apiVersion else {
            throw StatusError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(type.apiVersion)) or kind \(kind) is not \(type.kind)")
        }
        var metadata = object["metadata"]?.objectValue ?? [:]
        if type.namespaced {
            let given = metadata["namespace"]?.string ?? ""
            if let namespace, !given.isEmpty, given != namespace {
                throw StatusError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            metadata["namespace"] = .string(namespace ?? (given.isEmpty ? "default" : given))
        } else {
            metadata["namespace"] = nil
        }
        object["metadata"] = .object(metadata)
        return .object(object)
    }

    /// The body as a JSON object: JSON as sent, or kubectl's protobuf decoded.
    static func body(_ request: APIRequest) throws -> [String: JSONValue] {
        let contentType = request.header("content-type") ?? "application/json"
        if contentType.hasPrefix("application/vnd.kubernetes.protobuf") {
            do {
                guard case .object(let object) = try ProtobufObjectDecoder.decode(request.body) else { throw StatusError.badRequest("empty body") }
                return object
            } catch let error as ProtobufObjectDecoder.Unsupported {
                throw StatusError(code: 415, reason: "UnsupportedMediaType", message: error.description)
            } catch let error as ProtobufWire.Malformed {
                throw StatusError.badRequest("the body of the request could not be decoded as protobuf: \(error.description)")
            }
        }
        guard contentType.hasPrefix("application/json") || contentType.contains("+json") else {
            throw StatusError(code: 415, reason: "UnsupportedMediaType",
                              message: "the body of the request was in an unknown format (\(contentType)) - accepted media types include: application/json, application/vnd.kubernetes.protobuf")
        }
        guard case .object(let object)? = JSONValue.parse(request.body) else {
            throw StatusError.badRequest("the body of the request could not be decoded as JSON: not a JSON object")
        }
        return object
    }

    /// Checks `object` as a manifest would be checked. Returns the typed object (nil for
    /// kinds Swiftlet stores without a typed model) and the unknown-field warnings; throws
    /// 422 Invalid with upstream's field causes, or (with `strict`) 400 for unknown fields.
    @discardableResult
    static func validate(_ object: JSONValue, type: ResourceType, strict: Bool) throws -> (object: KubeObject?, warnings: [String]) {
        let name = object[path: ["metadata", "name"]]?.string ?? ""
        if name.isEmpty {
            throw StatusError.invalid(kind: type.kind, group: type.group, name: "", causes: [
                ("metadata.name", "Required value: name or generateName is required"),
            ])
        }
        let results = ManifestDecoder().decode(fileName: "request", bytes: object.data())
        guard let result = results.first else { throw StatusError.badRequest("empty object") }
        switch result {
        case .object(let decoded):
            let unknown = decoded.warnings.filter { $0.hasPrefix("unknown field") && !tolerated($0) }
            if strict, !unknown.isEmpty {
                throw StatusError.badRequest("strict decoding error: " + unknown.joined(separator: ", "))
            }
            return (decoded.object, decoded.warnings)
        case .unknownKind:
            return (nil, [])
        case .failure(let error):
            throw StatusError.invalid(kind: type.kind, group: type.group, name: error.name ?? name,
                                      causes: error.errors.map { ($0.field, $0.message) })
        }
    }

    /// Fields upstream's types have that Swiftlet's model leaves out: kubectl writes them
    /// (`kubectl run`, `create deployment`), so they are no reason to refuse a strict write.
    static func tolerated(_ warning: String) -> Bool {
        let field = warning.replacingOccurrences(of: "unknown field \"", with: "").replacingOccurrences(of: "\"", with: "")
        let last = field.split(separator: ".").last.map(String.init) ?? field
        return upstreamFields.contains(last.replacingOccurrences(of: "\\[\\d+\\]", with: "", options: .regularExpression))
    }

    private static let upstreamFields: Set<String> = [
        "status", "resources", "dnsPolicy", "terminationMessagePath", "terminationMessagePolicy", "schedulerName",
        "securityContext", "strategy", "progressDeadlineSeconds", "revisionHistoryLimit", "enableServiceLinks",
        "creationTimestamp", "managedFields", "sessionAffinity", "internalTrafficPolicy", "ipFamilies", "ipFamilyPolicy",
        "clusterIPs", "preemptionPolicy", "priority", "tolerations", "serviceAccount", "serviceAccountName",
        "imagePullPolicy", "podManagementPolicy", "selfLink", "generation", "uid", "resourceVersion", "immutable",
    ]

    /// The server-owned metadata of a new object: uid, creation time, generation, a name
    /// from `generateName`.
    static func stampNew(_ object: inout JSONValue, now: Date = Date()) {
        if (object[path: ["metadata", "name"]]?.string ?? "").isEmpty, let prefix = object[path: ["metadata", "generateName"]]?.string {
            object[path: ["metadata", "name"]] = .string(prefix + String((0..<5).map { _ in PodTemplateHash.alphabet.randomElement()! }))
        }
        object[path: ["metadata", "uid"]] = .string(UUID().uuidString.lowercased())
        object[path: ["metadata", "creationTimestamp"]] = .string(timestamp(now))
        object[path: ["metadata", "resourceVersion"]] = nil
        object[path: ["metadata", "managedFields"]] = nil
        object[path: ["metadata", "deletionTimestamp"]] = nil
        if object["spec"] != nil { object[path: ["metadata", "generation"]] = 1 }
        foldStringData(&object)
    }

    /// A Secret's write-only `stringData`, folded into `data` as the API server does.
    static func foldStringData(_ object: inout JSONValue) {
        guard object["kind"]?.string == "Secret", let strings = object["stringData"]?.objectValue else { return }
        var data = object["data"]?.objectValue ?? [:]
        for (key, value) in strings {
            if let text = value.string { data[key] = .string(Data(text.utf8).base64EncodedString()) }
        }
        object["data"] = .object(data)
        object["stringData"] = nil
    }

    static func timestamp(_ date: Date) -> String {
        KubeTime(truncating: date).description
    }
}
