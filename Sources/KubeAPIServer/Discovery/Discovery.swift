import APIStore
import Foundation

/// The discovery documents (legacy form: kubectl 1.32 asks for the aggregated v2 first and
/// reads these when the reply's Content-Type says they are not): `/version`, `/api`,
/// `/api/v1`, `/apis`, `/apis/<group>` and `/apis/<group>/<version>`.
enum Discovery {
    static let gitVersion = "v1.32.0-swiftlet"

    static func version() -> JSONValue {
        .object([
            "major": "1", "minor": "32", "gitVersion": .string(gitVersion), "gitCommit": "", "gitTreeState": "clean",
            "buildDate": "2026-12-08T00:00:00Z", "goVersion": "swift6.3", "compiler": "swiftc", "platform": "linux/amd64",
        ])
    }

    static func coreVersions(serverAddress: String) -> JSONValue {
        let address: JSONValue = ["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]
        return ["kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [address]]
    }

    /// The stored resources' groups, then the resource metrics API's (served from samples).
    static var groups: [(name: String, version: String)] {
        ResourceTypes.groups + [(MetricsRoutes.group, MetricsRoutes.version)]
    }

    static func groupList() -> JSONValue {
        .object(["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map { group($0.name, $0.version) })])
    }

    static func group(_ name: String, _ version: String) -> JSONValue {
        let gv: JSONValue = .object(["groupVersion": .string(name + "/" + version), "version": .string(version)])
        return .object(["kind": "APIGroup", "apiVersion": "v1", "name": .string(name), "versions": [gv], "preferredVersion": gv])
    }

    /// `/api/v1` or `/apis/<group>/<version>`; nil when not served.
    static func resourceList(group: String, version: String) -> JSONValue? {
        let types = ResourceTypes.all.filter { $0.group == group && $0.version == version }
        guard !types.isEmpty else { return nil }
        var resources: [JSONValue] = []
        for type in types {
            var entry: [String: JSONValue] = [
                "name": .string(type.plural), "singularName": .string(type.singular), "namespaced": .bool(type.namespaced),
                "kind": .string(type.kind), "verbs": .array(type.verbs.map { .string($0) }),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map { .string($0) }) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map { .string($0) }) }
            resources.append(.object(entry))
            for sub in type.subresources {
                var verbs: [JSONValue] = ["get"]
                switch sub {
                case "status", "scale": verbs = ["get", "patch", "update"]
                case "exec", "attach", "portforward": verbs = ["create", "get"]
                default: break
                }
                var subEntry: [String: JSONValue] = [
                    "name": .string(type.plural + "/" + sub), "singularName": "", "namespaced": .bool(type.namespaced),
                    "kind": .string(sub == "scale" ? "Scale" : sub == "status" ? type.kind : "Pod" + sub.capitalized + "Options"),
                    "verbs": .array(verbs),
                ]
                if sub == "scale" { subEntry["group"] = "autoscaling"; subEntry["version"] = "v1" }
                resources.append(.object(subEntry))
            }
        }
        return .object([
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : group + "/" + version),
            "resources": .array(resources),
        ])
    }
}
