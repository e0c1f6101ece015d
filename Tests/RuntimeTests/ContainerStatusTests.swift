import Testing
@testable import Runtime

/// The lifecycle's legal transitions, as runc has them (paused included).
@Suite struct ContainerStatusTests {
    @Test func pausedContainersCanBeKilledResumedOrForceDeletedOnly() {
        let all: [ContainerStatus] = [.creating, .created, .running, .paused, .stopped]
        #expect(all.filter(\.canPause) == [.created, .running])
        #expect(all.filter(\.canResume) == [.paused])
        #expect(all.filter(\.canKill) == [.created, .running, .paused])
        #expect(all.filter(\.canExec) == [.running])
        #expect(all.filter(\.canStart) == [.created])
        #expect(all.filter { $0.canDelete(force: false) } == [.creating, .created, .stopped])
        #expect(all.filter { $0.canDelete(force: true) } == all)
    }
}
