import APIStore
import Foundation

/// What every cluster has from the start: the namespaces `default`, `kube-system`,
/// `kube-public` and `kube-node-lease`, and a `default` ServiceAccount in each namespace.
public enum NamespaceDefaults {
    public static let builtIn = ["default", "kube-system", "kube-public", "kube-node-lease"]

    /// Creates the built-in namespaces and each namespace's default ServiceAccount, where missing.
    public static func bootstrap(_ store: ResourceStore) throws {
        for name in builtIn where store.get(StoreKey(resource: "namespaces", namespace: "", name: name)) == nil {
            var namespace: JSONValue = .object([
                "kind": "Namespace", "apiVersion": "v1",
                "metadata": .object(["name": .string(name), "labels": .object(["kubernetes.io/metadata.name": .string(name)])]),
                "spec": .object(["finalizers": ["kubernetes"]]), "status": .object(["phase": "Active"]),
            ])
            ObjectAdmission.stampNew(&namespace)
            namespace[path: ["metadata", "generation"]] = nil
            _ = try? store.create(StoreKey(resource: "namespaces", namespace: "", name: name), namespace)
        }
        for namespace in store.list(resource: "namespaces").items {
            try ensure(in: store, namespace: namespace[path: ["metadata", "name"]]?.string ?? "")
        }
    }

    /// The namespace's `default` ServiceAccount, and its status Active.
    static func ensure(in store: ResourceStore, namespace: String) throws {
        guard !namespace.isEmpty else { return }
        let key = StoreKey(resource: "serviceaccounts", namespace: namespace, name: "default")
        if store.get(key) == nil {
            var account: JSONValue = .object([
                "kind": "ServiceAccount", "apiVersion": "v1",
                "metadata": .object(["name": "default", "namespace": .string(namespace)]),
            ])
            ObjectAdmission.stampNew(&account)
            _ = try? store.create(key, account)
        }
        try store.write(StoreKey(resource: "namespaces", namespace: "", name: namespace)) { current in
            guard var current else { return nil }
            if current[path: ["status", "phase"]] == nil { current["status"] = .object(["phase": "Active"]) }
            if current[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] == nil {
                current[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] = .string(namespace)
            }
            return current
        }
    }
}
