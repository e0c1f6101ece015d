import Foundation
import Testing
@testable import Kubelet

@Suite struct ProbeTrackerTests {
    let start = Date(timeIntervalSince1970: 1_000)

    @Test func readinessPassesAfterSuccessThresholdAndFailsAfterFailureThreshold() {
        var tracker = ProbeTracker(schedule: ProbeSchedule(successThreshold: 2, failureThreshold: 3), initiallyPassing: false)
        tracker.record(.success, at: start)
        #expect(!tracker.passing)
        let changedToPassing = tracker.record(.success, at: start)
        #expect(changedToPassing)
        #expect(tracker.passing)
        tracker.record(.failure("down"), at: start)
        tracker.record(.failure("down"), at: start)
        #expect(tracker.passing)
        let changedToFailing = tracker.record(.failure("down"), at: start)
        #expect(changedToFailing)
        #expect(!tracker.passing)
        #expect(tracker.lastMessage == "down")
    }

    @Test func runsAfterInitialDelayThenEveryPeriod() {
        var tracker = ProbeTracker(schedule: ProbeSchedule(initialDelay: 5, period: 10), initiallyPassing: true)
        #expect(!tracker.isDue(now: start.addingTimeInterval(4), startedAt: start))
        #expect(tracker.isDue(now: start.addingTimeInterval(5), startedAt: start))
        tracker.record(.success, at: start.addingTimeInterval(5))
        #expect(!tracker.isDue(now: start.addingTimeInterval(14), startedAt: start))
        #expect(tracker.isDue(now: start.addingTimeInterval(15), startedAt: start))
    }

    @Test func httpStatusLineIsParsed() {
        #expect(NetworkProbe.statusCode(of: Array("HTTP/1.0 302 Found\r\n".utf8)) == 302)
        #expect(NetworkProbe.statusCode(of: Array("garbage".utf8)) == nil)
    }

    @Test func probesAgainstARealLoopbackServer() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let server = Thread {
            for status in ["200 OK", "500 Internal Server Error"] {
                let client = accept(listener, nil, nil)
                var buffer = [UInt8](repeating: 0, count: 1024)
                _ = read(client, &buffer, buffer.count)
                let reply = Array("HTTP/1.1 \(status)\r\nContent-Length: 0\r\n\r\n".utf8)
                _ = write(client, reply, reply.count)
                close(client)
            }
        }
        server.start()
        #expect(NetworkProbe.http(host: "127.0.0.1", port: port, path: "/healthz", timeout: 2) == .success)
        #expect(NetworkProbe.http(host: "127.0.0.1", port: port, path: "/", timeout: 2)
            == .failure("HTTP probe failed with statuscode: 500"))
        #expect(NetworkProbe.tcp(host: "127.0.0.1", port: 1, timeout: 1) != .success)
    }
}
