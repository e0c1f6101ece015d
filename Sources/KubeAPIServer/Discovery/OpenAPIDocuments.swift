import APIStore
import Foundation

/// `/openapi/v3` and its per-group-version documents: the paths and operations of every
/// served resource, each tagged with its `x-kubernetes-group-version-kind`, and PATCH taking
/// `fieldValidation` — which is how kubectl learns that the server validates fields itself
/// (so `kubectl apply` sends `fieldValidation=Strict` and skips client-side schemas). The
/// PATCH bodies listed leave out strategic merge: kubectl then computes its strategic
/// patches from its own built-in types, whose patch strategies the server follows.
enum OpenAPIDocuments {
    /// The group-version path of a document: `api/v1`, `apis/apps/v1`.
    static func documentPath(group: String, version: String) -> String {
        group.isEmpty ? "api/" + version : "apis/\(group)/\(version)"
    }

    static var groupVersions: [(group: String, version: String)] {
        var seen: [(String, String)] = []
        for type in ResourceTypes.all where !seen.contains(where: { $0 == (type.group, type.version) }) {
            seen.append((type.group, type.version))
        }
        return seen
    }

    static func root() -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for (group, version) in groupVersions {
            let path = documentPath(group: group, version: version)
            paths[path] = .object(["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash(group: group, version: version))")])
        }
        return .object(["paths": .object(paths)])
    }

    /// The document for one group-version; nil when not served.
    static func document(group: String, version: String) -> JSONValue? {
        let types = ResourceTypes.all.filter { $0.group == group && $0.version == version }
        guard !types.isEmpty else { return nil }
        var paths: [String: JSONValue] = [:]
        for type in types {
            let prefix = "/" + documentPath(group: group, version: version)
            let collection = type.namespaced ? "\(prefix)/namespaces/{namespace}/\(type.plural)" : "\(prefix)/\(type.plural)"
            let gvk: JSONValue = .object(["group": .string(group), "version": .string(version), "kind": .string(type.kind)])
            func operation(_ id: String, _ parameters: [String] = []) -> JSONValue {
                .object([
                    "operationId": .string(id + type.kind), "x-kubernetes-group-version-kind": gvk,
                    "parameters": .array(parameters.map { .object(["name": .string($0), "in": "query", "schema": .object(["type": "string"])]) }),
                    "responses": .object(["200": .object(["description": "OK"])]),
                ])
            }
            paths[collection] = .object([
                "get": operation("list"), "post": operation("create", ["dryRun", "fieldManager", "fieldValidation"]),
            ])
            var patch = operation("patch", ["dryRun", "fieldManager", "fieldValidation", "force"])
            patch["requestBody"] = .object(["content": .object([
                "application/json-patch+json": .object([:]), "application/merge-patch+json": .object([:]),
            ])])
            paths[collection + "/{name}"] = .object([
                "get": operation("read"), "put": operation("replace", ["dryRun", "fieldManager", "fieldValidation"]),
                "patch": patch, "delete": operation("delete"),
            ])
        }
        return .object([
            "openapi": "3.0.0",
            "info": .object(["title": "Kubernetes", "version": .string(Discovery.gitVersion)]),
            "paths": .object(paths),
            "components": .object(["schemas": .object([:])]),
        ])
    }

    static func hash(group: String, version: String) -> String {
        var value: UInt64 = 1469598103934665603
        for byte in (group + "/" + version + Discovery.gitVersion).utf8 {
            value = (value ^ UInt64(byte)) &* 1099511628211
        }
        return String(value, radix: 16, uppercase: true)
    }
}
