import Foundation
import Testing
@testable import Kubelet

@Suite struct ImagePullBackOffTests {
    let start = Date(timeIntervalSince1970: 1_000_000)

    @Test func backOffStartsAtTenSecondsAndDoublesToTheCap() {
        var backOff = ImagePullBackOff()
        var time = start
        var delays: [TimeInterval] = []
        for _ in 0..<7 {
            backOff.failed("img", at: time, message: "boom")
            let until = backOff.blocked("img", at: time)!.until
            delays.append(until.timeIntervalSince(time))
            time = until
        }
        #expect(delays == [10, 20, 40, 80, 160, 300, 300])
    }

    @Test func blockedOnlyUntilTheDelayEndsAndCarriesTheMessage() {
        var backOff = ImagePullBackOff()
        backOff.failed("img", at: start, message: "manifest unknown")
        #expect(backOff.blocked("img", at: start.addingTimeInterval(9.9))?.message == "manifest unknown")
        #expect(backOff.blocked("img", at: start.addingTimeInterval(10)) == nil)
        #expect(backOff.blocked("other", at: start) == nil)
    }

    @Test func successOrAQuietSpellForgetsFailures() {
        var backOff = ImagePullBackOff()
        backOff.failed("img", at: start, message: "x")
        backOff.failed("img", at: start.addingTimeInterval(10), message: "x")
        backOff.succeeded("img")
        #expect(backOff.blocked("img", at: start.addingTimeInterval(10)) == nil)
        backOff.failed("img", at: start, message: "x")
        backOff.failed("img", at: start.addingTimeInterval(601), message: "x")
        #expect(backOff.blocked("img", at: start.addingTimeInterval(601))!.until == start.addingTimeInterval(611))
    }
}
