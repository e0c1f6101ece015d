import Foundation

/// One event about a pod, as `kubectl describe` lists them.
public struct PodEvent: Codable, Sendable, Equatable {
    public var type: String
    public var reason: String
    public var message: String
    public var count: Int
    public var firstTimestamp: Date
    public var lastTimestamp: Date
}

/// A pod's recent events, repeated ones folded into a count as the API server does.
public struct PodEvents: Sendable {
    public static let limit = 50
    public private(set) var events: [PodEvent] = []
    public private(set) var changed = false

    public init(events: [PodEvent] = []) {
        self.events = events
    }

    public mutating func record(_ type: String = "Normal", _ reason: String, _ message: String, at time: Date = Date()) {
        if let index = events.lastIndex(where: { $0.reason == reason && $0.message == message && $0.type == type }) {
            events[index].count += 1
            events[index].lastTimestamp = time
        } else {
            events.append(PodEvent(type: type, reason: reason, message: message, count: 1, firstTimestamp: time, lastTimestamp: time))
            if events.count > Self.limit { events.removeFirst(events.count - Self.limit) }
        }
        changed = true
    }

    public mutating func save(to path: String) {
        guard changed else { return }
        try? JSONFile.write(events, to: path)
        changed = false
    }
}
