import Foundation

/// The node's API objects: every object by key, each with a monotonic resourceVersion, made
/// durable (`StoreFiles`) before a write returns, and a bounded history of changes from
/// which watches start (`WatchHub`). One lock orders every write, so resourceVersions are
/// the order in which changes happened. Used in-process by the API server and the agent.
public final class ResourceStore: @unchecked Sendable {
    private let files: StoreFiles
    private let lock = NSLock()
    private var objects: [StoreKey: JSONValue] = [:]
    private var revision: UInt64 = 0
    private var reservedUpTo: UInt64 = 0
    private let hub: WatchHub
    /// Called (outside the lock) after every change, e.g. to wake the agent's sync loop.
    public var onChange: (@Sendable (WatchEvent) -> Void)?

    /// How many resourceVersions are reserved on disk at once.
    static let revisionBlock: UInt64 = 1000

    /// Opens (or creates) the store in `directory`, reading back every object.
    public init(directory: String, history: Int = 2000) throws {
        files = StoreFiles(directory: directory)
        hub = WatchHub(capacity: history)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.io("create \(directory): \(error.localizedDescription)")
        }
        var highest = files.readRevision()
        for (key, value) in files.loadAll() {
            objects[key] = value
            if let rv = value[path: ["metadata", "resourceVersion"]]?.string.flatMap(UInt64.init) { highest = max(highest, rv) }
        }
        revision = highest
        reservedUpTo = highest
        hub.reset(at: revision)
    }

    /// The newest resourceVersion handed out.
    public var currentRevision: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return revision
    }

    public func get(_ key: StoreKey) -> JSONValue? {
        lock.lock()
        defer { lock.unlock() }
        return objects[key]
    }

    /// Every object of `resource` (in `namespace`, or all when nil), ordered by namespace
    /// and name, with the revision the list is consistent at.
    public func list(resource: String, namespace: String? = nil) -> (items: [JSONValue], revision: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        let items = objects.filter { $0.key.resource == resource && (namespace == nil || $0.key.namespace == namespace) }
            .sorted { $0.key < $1.key }.map(\.value)
        return (items, revision)
    }

    /// Creates the object at `key`; `AlreadyExists` if one is there.
    @discardableResult
    public func create(_ key: StoreKey, _ object: JSONValue) throws -> JSONValue {
        try write(key) { current in
            if current != nil { throw StoreError.alreadyExists(key) }
            return object
        }.new ?? object
    }

    /// Replaces the object at `key`. With `expectedVersion`, refuses (`Conflict`) unless it
    /// is the stored object's resourceVersion, as the API server's optimistic concurrency.
    @discardableResult
    public func update(_ key: StoreKey, _ object: JSONValue, expectedVersion: String? = nil) throws -> JSONValue {
        try write(key) { current in
            guard let current else { throw StoreError.notFound(key) }
            if let expectedVersion, !expectedVersion.isEmpty, Self.version(of: current) != expectedVersion {
                throw StoreError.conflict(key, "the object has been modified; please apply your changes to the latest version and try again")
            }
            return object
        }.new ?? object
    }

    /// Removes the object at `key`, returning it as it was.
    @discardableResult
    public func delete(_ key: StoreKey, expectedVersion: String? = nil) throws -> JSONValue {
        let result = try write(key) { current in
            guard let current else { throw StoreError.notFound(key) }
            if let expectedVersion, !expectedVersion.isEmpty, Self.version(of: current) != expectedVersion {
                throw StoreError.conflict(key, "the object has been modified; please apply your changes to the latest version and try again")
            }
            return nil
        }
        guard let old = result.old else { throw StoreError.notFound(key) }
        return old
    }

    /// Read-modify-write of one object under the store's lock: `transform` gets the stored
    /// object (nil when absent) and returns the new one (nil deletes). A result equal to the
    /// stored object but for its resourceVersion writes nothing. Returns both versions; the
    /// new one carries its resourceVersion.
    @discardableResult
    public func write(_ key: StoreKey, _ transform: (JSONValue?) throws -> JSONValue?) throws -> (old: JSONValue?, new: JSONValue?) {
        lock.lock()
        let current = objects[key]
        let proposed: JSONValue?
        do {
            proposed = try transform(current)
        } catch {
            lock.unlock()
            throw error
        }
        if proposed == nil && current == nil {
            lock.unlock()
            return (nil, nil)
        }
        if let proposed, let current, Self.withoutVersion(proposed) == Self.withoutVersion(current) {
            lock.unlock()
            return (current, current)
        }
        let next = revision + 1
        var stored = proposed
        stored?[path: ["metadata", "resourceVersion"]] = .string(String(next))
        do {
            if next > reservedUpTo {
                try files.writeRevision(next + Self.revisionBlock)
                reservedUpTo = next + Self.revisionBlock
            }
            if let stored { try files.write(key, stored) } else { try files.remove(key) }
        } catch {
            lock.unlock()
            throw error
        }
        revision = next
        objects[key] = stored
        let event: WatchEvent
        if let stored {
            event = WatchEvent(kind: current == nil ? .added : .modified, key: key, object: stored, resourceVersion: next)
        } else {
            var gone = current ?? .null
            gone[path: ["metadata", "resourceVersion"]] = .string(String(next))
            event = WatchEvent(kind: .deleted, key: key, object: gone, resourceVersion: next)
        }
        hub.publish(event)
        lock.unlock()
        onChange?(event)
        return (current, stored)
    }

    /// Starts a watch of `resource` (in `namespace`, or all): with `from` nil, synthetic
    /// ADDED events for every current object first; otherwise every change after `from`,
    /// or `gone` when the history no longer reaches back that far. `deliver` is called in
    /// order, under the store's lock: it must not block (hand the event to a channel).
    public func watch(
        resource: String, namespace: String?, from: UInt64?, deliver: @escaping @Sendable (WatchEvent) -> Void
    ) throws -> WatchToken {
        lock.lock()
        defer { lock.unlock() }
        let matches: @Sendable (StoreKey) -> Bool = { key in
            key.resource == resource && (namespace == nil || key.namespace == namespace)
        }
        if let from {
            let backlog = try hub.events(after: from, current: revision)
            for event in backlog where matches(event.key) { deliver(event) }
        } else {
            for (key, object) in objects.sorted(by: { $0.key < $1.key }) where matches(key) {
                deliver(WatchEvent(kind: .added, key: key, object: object, resourceVersion: Self.version(of: object).flatMap(UInt64.init) ?? revision))
            }
        }
        return hub.add { event in if matches(event.key) { deliver(event) } }
    }

    /// Ends a watch; no event is delivered to it after this returns.
    public func stopWatch(_ token: WatchToken) {
        lock.lock()
        defer { lock.unlock() }
        hub.remove(token)
    }

    public static func version(of object: JSONValue) -> String? {
        object[path: ["metadata", "resourceVersion"]]?.string
    }

    private static func withoutVersion(_ object: JSONValue) -> JSONValue {
        var copy = object
        copy[path: ["metadata", "resourceVersion"]] = nil
        return copy
    }
}
