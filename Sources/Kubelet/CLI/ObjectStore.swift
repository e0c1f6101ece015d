import Foundation
import KubeAPI
import WorkloadControllers

/// The API objects the agent publishes for the CLI (every kind but pods, which live with
/// their workers): `<root>/objects/<kind plural>/<namespace>/<name>.json`, cluster-scoped
/// kinds (Namespace) as `<root>/objects/<kind plural>/<name>.json`; and each object's
/// recent events as `<root>/events/<kind plural>/<namespace>/<name>.json`.
public struct ObjectStore: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public var objectsDir: String { root + "/objects" }
    public var eventsDir: String { root + "/events" }

    /// The lowercase plural a kind is filed under (`Deployment` → `deployments`); a plural
    /// (`services`, `endpoints`) is returned as it is.
    public static func plural(_ kind: String) -> String {
        let lower = kind.lowercased()
        if lower == "endpoints" || lower.hasSuffix("s") && kind == lower { return lower }
        return lower + "s"
    }

    private static func namespaceOf(_ object: KubeObject) -> String? {
        guard object.isNamespaced else { return nil }
        let namespace = object.metadata.namespace ?? ""
        return namespace.isEmpty ? ObjectMeta.defaultNamespace : namespace
    }

    func path(kind: String, namespace: String?, name: String, under base: String) -> String {
        var path = base + "/" + Self.plural(kind)
        if let namespace { path += "/" + namespace }
        return path + "/" + name + ".json"
    }

    /// Publishes one object (atomically; readable by root only, as it may be a Secret).
    public func write(_ object: KubeObject) throws {
        let file = path(kind: object.kind, namespace: Self.namespaceOf(object), name: object.name, under: objectsDir)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try AtomicFile.write(try KubeEncoder.json(object), to: file, mode: 0o600)
    }

    /// Publishes `objects` as every object of `kind`, removing the files of the others.
    /// Files whose content did not change are not rewritten.
    public func replaceAll(kind: String, objects: [KubeObject]) throws {
        var keep: Set<String> = []
        for object in objects {
            let file = path(kind: kind, namespace: Self.namespaceOf(object), name: object.name, under: objectsDir)
            keep.insert(file)
            if let existing = FileManager.default.contents(atPath: file), existing == (try KubeEncoder.json(object)) { continue }
            try write(object)
        }
        for file in files(kind: kind, namespace: nil) where !keep.contains(file) {
            unlink(file)
        }
    }

    /// Every published object of `kind` (`Deployment` or `deployments`), by namespace and
    /// name; `namespace` nil for all namespaces (cluster-scoped kinds ignore it).
    public func list(kind: String, namespace: String?) -> [KubeObject] {
        files(kind: kind, namespace: namespace).compactMap { file in
            FileManager.default.contents(atPath: file).flatMap { try? JSONDecoder().decode(KubeObject.self, from: $0) }
        }.sorted { ($0.metadata.namespace ?? "", $0.name) < ($1.metadata.namespace ?? "", $1.name) }
    }

    /// One object, or nil.
    public func get(kind: String, namespace: String, name: String) -> KubeObject? {
        list(kind: kind, namespace: namespace).first { $0.name == name }
    }

    private func files(kind: String, namespace: String?) -> [String] {
        let base = objectsDir + "/" + Self.plural(kind)
        var result: [String] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] where !entry.hasPrefix(".") {
            let path = base + "/" + entry
            if entry.hasSuffix(".json") {
                result.append(path)
                continue
            }
            guard namespace == nil || namespace == entry else { continue }
            for file in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where file.hasSuffix(".json") && !file.hasPrefix(".") {
                result.append(path + "/" + file)
            }
        }
        return result
    }

    // MARK: Events

    /// The recent events of one object, oldest first.
    public func events(kind: String, namespace: String?, name: String) -> [PodEvent] {
        JSONFile.read([PodEvent].self, from: path(kind: kind, namespace: namespace, name: name, under: eventsDir)) ?? []
    }

    /// Adds events to their objects' event files, folding repeats into a count.
    public func record(_ events: [WorkloadEvent], at time: Date = Date()) {
        let grouped = Dictionary(grouping: events, by: \.object)
        for (_, group) in grouped {
            guard let first = group.first else { continue }
            let file = path(kind: first.kind, namespace: first.namespace, name: first.name, under: eventsDir)
            var log = PodEvents(events: JSONFile.read([PodEvent].self, from: file) ?? [])
            for event in group { log.record(event.type, event.reason, event.message, at: time) }
            try? FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            log.save(to: file)
        }
    }

    /// Removes the event files of objects no longer published.
    public func pruneEvents(kind: String, keeping objects: [KubeObject]) {
        let keep = Set(objects.map { path(kind: kind, namespace: Self.namespaceOf($0), name: $0.name, under: eventsDir) })
        let base = eventsDir + "/" + Self.plural(kind)
        for namespace in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: base + "/" + namespace)) ?? [] {
                let full = base + "/" + namespace + "/" + file
                if !keep.contains(full) { unlink(full) }
            }
        }
    }
}
