import APIStore
import Foundation
import KubeAPI
import Logging

/// The verbs on resources, as upstream defines them: get, list, watch, create, update
/// (optimistic concurrency), patch, delete (with propagation), deletecollection; the
/// status and scale subresources; Tables on request.
final class ResourceHandlers: @unchecked Sendable {
    let store: ResourceStore
    let logger: Logger
    /// The annotation marking objects that come from the manifest directory.
    static let manifestFileAnnotation = "swiftlet.io/manifest-file"
    static let mirrorAnnotation = "kubernetes.io/config.mirror"

    init(store: ResourceStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func handle(_ request: APIRequest, path: ResourcePath, sink: ResponseSink) throws {
        if let sub = path.subresource, !path.type.subresources.contains(sub) {
            throw StatusError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        switch (request.method, path.name) {
        case ("GET", nil):
            if request.flag("watch") {
                try ResourceWatch(store: store).start(request, path: path, sink: sink)
            } else {
                sink.respond(try list(request, path: path))
            }
        case ("GET", let name?):
            if request.flag("watch") {
                var filtered = request
                filtered.query["fieldSelector"] = "metadata.name=\(name)"
                try ResourceWatch(store: store).start(filtered, path: ResourcePath(type: path.type, namespace: path.namespace), sink: sink)
                return
            }
            let object = try get(path)
            if path.subresource == "scale" {
                sink.respond(.json(try ScaleSubresource.scale(of: object, type: path.type).data()))
            } else {
                sink.respond(render(object, request: request, type: path.type))
            }
        case ("POST", nil):
            sink.respond(try create(request, path: path))
        case ("PUT", .some):
            sink.respond(try update(request, path: path))
        case ("PATCH", .some):
            sink.respond(try ResourcePatcher(handlers: self).patch(request, path: path))
        case ("DELETE", .some):
            sink.respond(try delete(request, path: path))
        case ("DELETE", nil):
            sink.respond(try deleteCollection(request, path: path))
        default:
            throw StatusError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    // MARK: Reads

    func get(_ path: ResourcePath) throws -> JSONValue {
        guard let key = path.key, let object = store.get(key) else { throw StatusError.notFound(path.type, path.name ?? "") }
        return object
    }

    func list(_ request: APIRequest, path: ResourcePath) throws -> APIResponse {
        let labels = try selector(request, "labelSelector")
        let fields = try selector(request, "fieldSelector")
        let listed = store.list(resource: path.type.qualifiedName, namespace: path.type.namespaced ? path.namespace : nil)
        let items = listed.items.filter { labels.matchesLabels(of: $0) && fields.matchesFields(of: $0) }
        if request.wantsTable {
            return .json(TableConverter.table(items, type: path.type, revision: listed.revision, includeObject: request.query["includeObject"]).data())
        }
        let list: JSONValue = .object([
            "kind": .string(path.type.kind + "List"), "apiVersion": .string(path.type.apiVersion),
            "metadata": .object(["resourceVersion": .string(String(listed.revision))]), "items": .array(items),
        ])
        return .json(list.data())
    }

    func render(_ object: JSONValue, request: APIRequest, type: ResourceType, status: Int = 200) -> APIResponse {
        if request.wantsTable {
            return .json(TableConverter.table([object], type: type, revision: nil, includeObject: request.query["includeObject"]).data(), status: status)
        }
        return .json(object.data(), status: status)
    }

    func selector(_ request: APIRequest, _ name: String) throws -> SelectorQuery {
        do {
            return try SelectorQuery.parse(request.query[name])
        } catch let error as SelectorQuery.ParseError {
            throw StatusError.badRequest("unable to parse requirement: \(error.message)")
        }
    }

    // MARK: Writes

    func create(_ request: APIRequest, path: ResourcePath) throws -> APIResponse {
        guard path.subresource == nil else { throw StatusError.methodNotAllowed("create is not allowed on \(path.subresource!)") }
        var object = try ObjectAdmission.parse(request, type: path.type, namespace: path.namespace)
        ObjectAdmission.stampNew(&object)
        let (_, warnings) = try ObjectAdmission.validate(object, type: path.type, strict: isStrict(request))
        let name = object[path: ["metadata", "name"]]?.string ?? ""
        let namespace = object[path: ["metadata", "namespace"]]?.string
        if path.type.namespaced, let namespace, store.get(StoreKey(resource: "namespaces", namespace: "", name: namespace)) == nil {
            throw StatusError(code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found",
                              details: .object(["name": .string(namespace), "kind": "namespaces"]))
        }
        if path.type.kind == "Pod" && object["status"] == nil { object["status"] = .object(["phase": "Pending"]) }
        let key = StoreKey(path.type, namespace: namespace, name: name)
        if dryRun(request) { return withWarnings(render(object, request: request, type: path.type, status: 201), warnings) }
        let stored: JSONValue
        do {
            stored = try store.create(key, object)
        } catch let error as StoreError {
            throw StatusError.from(error, type: path.type, name: name)
        }
        if path.type.kind == "Namespace" { try NamespaceDefaults.ensure(in: store, namespace: name) }
        return withWarnings(render(stored, request: request, type: path.type, status: 201), warnings)
    }

    func update(_ request: APIRequest, path: ResourcePath) throws -> APIResponse {
        let name = path.name ?? ""
        var incoming = try ObjectAdmission.parse(request, type: path.subresource == "scale" ? ScaleSubresource.type : path.type,
                                                 namespace: path.namespace)
        if path.subresource == "scale" {
            return .json(try ScaleSubresource.write(incoming, handlers: self, path: path).data())
        }
        guard (incoming[path: ["metadata", "name"]]?.string ?? name) == name else {
            throw StatusError.badRequest("the name of the object (\(incoming[path: ["metadata", "name"]]?.string ?? "")) does not match the name on the URL (\(name))")
        }
        incoming[path: ["metadata", "name"]] = .string(name)
        ObjectAdmission.foldStringData(&incoming)
        let expected = ResourceStore.version(of: incoming)
        let result = try replace(path, expectedVersion: expected, strict: isStrict(request), dryRun: dryRun(request)) { _ in incoming }
        return withWarnings(render(result.object, request: request, type: path.type), result.warnings)
    }

    /// Read-modify-write of one object through `change`, with everything an update must
    /// pass: not a manifest file's object, valid, server fields kept, generation bumped when
    /// the spec changes; a `status` subresource changes only the status, the main resource
    /// everything but it.
    func replace(
        _ path: ResourcePath, expectedVersion: String?, strict: Bool, dryRun: Bool = false,
        _ change: (JSONValue) throws -> JSONValue
    ) throws -> (object: JSONValue, warnings: [String]) {
        guard let key = path.key else { throw StatusError.methodNotAllowed("update needs a name") }
        var warnings: [String] = []
        do {
            let result = try store.write(key) { current in
                guard let current else { throw StatusError.notFound(path.type, key.name) }
                if let expectedVersion, !expectedVersion.isEmpty, ResourceStore.version(of: current) != expectedVersion {
                    throw StatusError.conflict(path.type, key.name,
                        "the object has been modified; please apply your changes to the latest version and try again")
                }
                if let file = Self.manifestFile(of: current) {
                    throw StatusError.forbidden(path.type, key.name,
                        "it comes from the manifest file \(file) on the node; change the file instead")
                }
                var next = try change(current)
                if path.subresource == "status" {
                    var kept = current
                    kept["status"] = next["status"]
                    next = kept
                } else if path.type.subresources.contains("status") {
                    next["status"] = current["status"]
                }
                next[path: ["metadata", "uid"]] = current[path: ["metadata", "uid"]]
                next[path: ["metadata", "creationTimestamp"]] = current[path: ["metadata", "creationTimestamp"]]
                next[path: ["metadata", "namespace"]] = current[path: ["metadata", "namespace"]]
                next[path: ["metadata", "name"]] = current[path: ["metadata", "name"]]
                next[path: ["metadata", "resourceVersion"]] = current[path: ["metadata", "resourceVersion"]]
                next[path: ["metadata", "generation"]] = current[path: ["metadata", "generation"]]
                next["kind"] = current["kind"]
                next["apiVersion"] = current["apiVersion"]
                if next["spec"] != nil, next["spec"] != current["spec"] {
                    next[path: ["metadata", "generation"]] = .int((current[path: ["metadata", "generation"]]?.int ?? 0) + 1)
                }
                warnings = try ObjectAdmission.validate(next, type: path.type, strict: strict).warnings
                return dryRun ? current : next
            }
            guard let object = result.new else { throw StatusError.notFound(path.type, key.name) }
            return (object, warnings)
        } catch let error as StoreError {
            throw StatusError.from(error, type: path.type, name: key.name)
        }
    }

    func delete(_ request: APIRequest, path: ResourcePath) throws -> APIResponse {
        guard let key = path.key else { throw StatusError.methodNotAllowed("delete needs a name") }
        let options = JSONValue.parse(request.body) ?? .object([:])
        let policy = request.query["propagationPolicy"] ?? options["propagationPolicy"]?.string ?? "Background"
        let precondition = options[path: ["preconditions", "resourceVersion"]]?.string
        if let uid = options[path: ["preconditions", "uid"]]?.string, let current = store.get(key),
           current[path: ["metadata", "uid"]]?.string != uid {
            throw StatusError.conflict(path.type, key.name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current[path: ["metadata", "uid"]]?.string ?? "")")
        }
        guard ["Background", "Foreground", "Orphan"].contains(policy) else {
            throw StatusError.badRequest("propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\"")
        }
        if dryRun(request) { return .json(try get(path).data()) }
        let deleted: JSONValue
        do {
            if policy == "Foreground", let current = store.get(key) {
                GarbageCollector(store: store, logger: logger).collect(ownerUID: current[path: ["metadata", "uid"]]?.string, policy: policy)
            }
            deleted = try store.delete(key, expectedVersion: precondition)
        } catch let error as StoreError {
            throw StatusError.from(error, type: path.type, name: key.name)
        }
        if policy != "Foreground" {
            GarbageCollector(store: store, logger: logger).collect(ownerUID: deleted[path: ["metadata", "uid"]]?.string, policy: policy)
        }
        if path.type.kind == "Namespace" { GarbageCollector(store: store, logger: logger).emptyNamespace(key.name) }
        return .json(deleted.data())
    }

    func deleteCollection(_ request: APIRequest, path: ResourcePath) throws -> APIResponse {
        let labels = try selector(request, "labelSelector")
        let fields = try selector(request, "fieldSelector")
        let listed = store.list(resource: path.type.qualifiedName, namespace: path.type.namespaced ? path.namespace : nil)
        var deleted: [JSONValue] = []
        for item in listed.items where labels.matchesLabels(of: item) && fields.matchesFields(of: item) {
            let name = item[path: ["metadata", "name"]]?.string ?? ""
            let itemPath = ResourcePath(type: path.type, namespace: item[path: ["metadata", "namespace"]]?.string, name: name)
            var one = request
            one.body = Data()
            _ = try? delete(one, path: itemPath)
            deleted.append(item)
        }
        return .json(JSONValue.object([
            "kind": .string(path.type.kind + "List"), "apiVersion": .string(path.type.apiVersion),
            "metadata": .object(["resourceVersion": .string(String(store.currentRevision))]), "items": .array(deleted),
        ]).data())
    }

    // MARK: Helpers

    static func manifestFile(of object: JSONValue) -> String? {
        object[path: ["metadata", "annotations", manifestFileAnnotation]]?.string
    }

    func isStrict(_ request: APIRequest) -> Bool { request.query["fieldValidation"] == "Strict" }

    func dryRun(_ request: APIRequest) -> Bool { request.query["dryRun"] == "All" }

    func withWarnings(_ response: APIResponse, _ warnings: [String]) -> APIResponse {
        var response = response
        for warning in warnings where !ObjectAdmission.tolerated(warning) {
            response.headers.append(("Warning", "299 - \"\(warning.replacingOccurrences(of: "\"", with: "'"))\""))
        }
        return response
    }
}
