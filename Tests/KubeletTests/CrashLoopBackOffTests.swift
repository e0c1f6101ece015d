import Foundation
import Testing
@testable import Kubelet

@Suite struct CrashLoopBackOffTests {
    let start = Date(timeIntervalSince1970: 1_000_000)

    @Test func firstCrashRestartsAtOnceThenDoublesToTheCap() {
        var backOff = CrashLoopBackOff()
        var time = start
        var delays: [TimeInterval] = []
        for _ in 0..<8 {
            let delay = backOff.recordCrash(at: time)
            delays.append(delay)
            time = time.addingTimeInterval(delay + 1)
        }
        #expect(delays == [0, 10, 20, 40, 80, 160, 300, 300])
    }

    @Test func waitsTheDelayBeforeAllowingARestart() {
        var backOff = CrashLoopBackOff()
        _ = backOff.recordCrash(at: start)
        let delay = backOff.recordCrash(at: start.addingTimeInterval(1))
        #expect(delay == 10)
        #expect(!backOff.restartAllowed(at: start.addingTimeInterval(5)))
        #expect(backOff.restartAllowed(at: start.addingTimeInterval(11)))
    }

    @Test func resetsAfterTenMinutesWithoutACrash() {
        var backOff = CrashLoopBackOff()
        _ = backOff.recordCrash(at: start)
        _ = backOff.recordCrash(at: start.addingTimeInterval(1))
        #expect(backOff.recordCrash(at: start.addingTimeInterval(20)) == 20)
        #expect(backOff.recordCrash(at: start.addingTimeInterval(20 + 601)) == 0)
        #expect(backOff.recordCrash(at: start.addingTimeInterval(20 + 602)) == 10)
    }
}
