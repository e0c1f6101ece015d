import APIStore
import Foundation
import Testing

@Suite struct ResourceStoreTests {
    func temp() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString.prefix(8))").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    let key = StoreKey(resource: "configmaps", namespace: "default", name: "web")
    func object(_ value: String) -> JSONValue {
        ["kind": "ConfigMap", "apiVersion": "v1", "metadata": ["name": "web", "namespace": "default"], "data": ["a": .string(value)]]
    }

    @Test func versionsGrowAndStaleWritesConflict() throws {
        let dir = temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ResourceStore(directory: dir)
        let created = try store.create(key, object("1"))
        let first = try #require(ResourceStore.version(of: created).flatMap(UInt64.init))
        #expect(throws: StoreError.alreadyExists(key)) { try store.create(key, object("1")) }
        let updated = try store.update(key, object("2"), expectedVersion: String(first))
        let second = try #require(ResourceStore.version(of: updated).flatMap(UInt64.init))
        #expect(second > first)
        #expect(throws: StoreError.self) { try store.update(key, object("3"), expectedVersion: String(first)) }
        #expect(store.get(key)?[path: ["data", "a"]] == "2")
        // An unchanged write is no write.
        let same = try store.update(key, object("2"))
        #expect(ResourceStore.version(of: same) == String(second))
    }

    @Test func everythingAcknowledgedSurvivesAReopen() throws {
        let dir = temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var last: UInt64 = 0
        do {
            let store = try ResourceStore(directory: dir)
            for index in 0..<20 {
                try store.create(StoreKey(resource: "pods", namespace: "default", name: "p\(index)"),
                                 ["kind": "Pod", "metadata": ["name": .string("p\(index)")]])
            }
            try store.delete(StoreKey(resource: "pods", namespace: "default", name: "p3"))
            last = store.currentRevision
        }
        let reopened = try ResourceStore(directory: dir)
        #expect(reopened.list(resource: "pods").items.count == 19)
        #expect(reopened.get(StoreKey(resource: "pods", namespace: "default", name: "p3")) == nil)
        let next = try reopened.create(key, object("x"))
        #expect(ResourceStore.version(of: next).flatMap(UInt64.init)! > last)
    }

    @Test func watchesReplayFromAVersionAndRefuseOneTooOld() throws {
        let dir = temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ResourceStore(directory: dir, history: 3)
        let start = store.currentRevision
        for value in ["1", "2", "3", "4", "5"] { try store.write(key) { _ in object(value) } }
        #expect(throws: StoreError.self) {
            try store.watch(resource: "configmaps", namespace: nil, from: start, deliver: { _ in })
        }
        let received = Locked()
        let token = try store.watch(resource: "configmaps", namespace: "default", from: store.currentRevision - 2) { received.add($0) }
        try store.delete(key)
        store.stopWatch(token)
        #expect(received.kinds == ["MODIFIED", "MODIFIED", "DELETED"])
        try store.create(key, object("after"))
        #expect(received.kinds.count == 3)
    }
}

final class Locked: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [WatchEvent] = []
    func add(_ event: WatchEvent) { lock.withLock { events.append(event) } }
    var kinds: [String] { lock.withLock { events.map(\.kind.rawValue) } }
}
