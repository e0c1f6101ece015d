import Foundation
import KubeAPI
import Testing
@testable import WorkloadControllers

@Suite struct ControllerCronScheduleTests {
    func date(_ text: String) -> Date { KubeTime.parse(text)! }
    let utc = TimeZone(identifier: "UTC")!

    @Test func nextTimes() throws {
        let every = try CronSchedule(parsing: "* * * * *")
        #expect(every.next(after: date("2024-01-01T10:00:30Z"), timeZone: utc) == date("2024-01-01T10:01:00Z"))
        #expect(every.next(after: date("2024-01-01T10:01:00Z"), timeZone: utc) == date("2024-01-01T10:02:00Z"))
        let leap = try CronSchedule(parsing: "0 0 29 2 *")
        #expect(leap.next(after: date("2024-03-01T00:00:00Z"), timeZone: utc) == date("2028-02-29T00:00:00Z"))
        // Day of month OR day of week when both are restricted: the 13th or any Friday.
        let either = try CronSchedule(parsing: "0 12 13 * 5")
        #expect(either.next(after: date("2024-09-01T00:00:00Z"), timeZone: utc) == date("2024-09-06T12:00:00Z"))
        #expect(either.next(after: date("2024-09-06T12:00:00Z"), timeZone: utc) == date("2024-09-13T12:00:00Z"))
        let yearEnd = try CronSchedule(parsing: "59 23 31 12 *")
        #expect(yearEnd.next(after: date("2024-12-31T23:59:00Z"), timeZone: utc) == date("2025-12-31T23:59:00Z"))
    }

    @Test func nextTimesInATimeZoneAcrossDaylightSaving() throws {
        let paris = TimeZone(identifier: "Europe/Paris")!
        let morning = try CronSchedule(parsing: "30 9 * * *")
        #expect(morning.next(after: date("2024-01-10T00:00:00Z"), timeZone: paris) == date("2024-01-10T08:30:00Z"))
        #expect(morning.next(after: date("2024-07-10T00:00:00Z"), timeZone: paris) == date("2024-07-10T07:30:00Z"))
        // 02:30 does not exist in Paris on 2024-03-31 (clocks jump from 02:00 to 03:00).
        let night = try CronSchedule(parsing: "30 2 * * *")
        #expect(night.next(after: date("2024-03-30T12:00:00Z"), timeZone: paris) == date("2024-04-01T00:30:00Z"))
    }
}

@Suite struct ControllerCronJobTests {
    let start = KubeTime.parse("2024-01-15T10:00:30Z")!

    func cronJob(
        _ schedule: String, timeZone: String? = nil, policy: ConcurrencyPolicy? = nil, suspend: Bool? = nil,
        deadline: Int? = nil, successfulLimit: Int? = nil, failedLimit: Int? = nil
    ) -> KubeObject {
        .cronJob(
            CronJob(
                metadata: ObjectMeta(name: "tick"),
                spec: CronJobSpec(
                    schedule: schedule, timeZone: timeZone, startingDeadlineSeconds: deadline, concurrencyPolicy: policy,
                    suspend: suspend,
                    jobTemplate: JobTemplateSpec(metadata: ObjectMeta(labels: ["run": "tick"]), spec: jobSpec(backoffLimit: 0)),
                    successfulJobsHistoryLimit: successfulLimit, failedJobsHistoryLimit: failedLimit)))
    }

    func minutes(_ text: String) -> Int { Int(KubeTime.parse(text)!.timeIntervalSince1970) / 60 }

    func finishActive(_ node: FakeNode, exitCode: Int) {
        for pod in node.state.pods where node.observed[pod.metadata.uid!].map({ !node.isTerminal($0) }) ?? false {
            node.finish(pod.metadata.uid!, exitCode: exitCode)
        }
    }

    @Test func everyMinuteCreatesJobsAtTheRightTimes() throws {
        let node = FakeNode([cronJob("* * * * *", timeZone: "Asia/Kolkata")], now: start)
        node.pass(advance: 0)
        #expect(node.state.jobs.isEmpty)
        for _ in 0..<9 {
            node.pass(advance: 20)
            finishActive(node, exitCode: 0)
        }
        // 10:00:30 + 180 s = 10:03:30: runs at 10:01, 10:02 and 10:03.
        let created = node.events("SuccessfulCreate").filter { $0.kind == "CronJob" }.map(\.message)
        #expect(
            created == [
                "Created job tick-\(minutes("2024-01-15T10:01:00Z"))", "Created job tick-\(minutes("2024-01-15T10:02:00Z"))",
                "Created job tick-\(minutes("2024-01-15T10:03:00Z"))",
            ])
        let job = try #require(node.job("tick-\(minutes("2024-01-15T10:03:00Z"))"))
        #expect(job.metadata.annotations?["batch.kubernetes.io/cronjob-scheduled-timestamp"] == "2024-01-15T15:33:00+05:30")
        #expect(job.metadata.labels == ["run": "tick"])
        #expect(job.metadata.ownerReferences?.first?.kind == "CronJob")
        let status = try #require(node.state.cronJobs.first?.status)
        #expect(status.lastScheduleTime == KubeTime(KubeTime.parse("2024-01-15T10:03:00Z")!))
        #expect(status.lastSuccessfulTime != nil)
        // Default history: 3 successful Jobs kept.
        #expect(node.state.jobs.count == 3)
    }

    @Test func dailyScheduleFollowsTheTimeZone() throws {
        // 09:30 in Kolkata is 04:00 UTC.
        let node = FakeNode([cronJob("30 9 * * *", timeZone: "Asia/Kolkata")], now: KubeTime.parse("2024-01-15T03:50:00Z")!)
        node.pass(advance: 0)
        node.pass(advance: 590)  // 03:59:50
        #expect(node.state.jobs.isEmpty)
        node.pass(advance: 15)  // 04:00:05
        #expect(node.state.jobs.map(\.metadata.name) == ["tick-\(minutes("2024-01-15T04:00:00Z"))"])
    }

    @Test func forbidSkipsWhileAJobRunsThenCatchesUp() {
        let node = FakeNode([cronJob("* * * * *", policy: .forbid)], now: start)
        node.pass(advance: 0)
        node.pass(advance: 40)  // 10:01:10
        #expect(node.state.jobs.count == 1)
        node.pass(advance: 60)  // 10:02:10: the first still runs
        node.pass(advance: 10)
        #expect(node.state.jobs.count == 1)
        #expect(node.events("JobAlreadyActive").count == 1)
        finishActive(node, exitCode: 0)
        node.pass(advance: 5)
        #expect(node.state.jobs.count == 2)
        #expect(node.job("tick-\(minutes("2024-01-15T10:02:00Z"))") != nil)
    }

    @Test func replaceDeletesTheRunningJob() throws {
        let node = FakeNode([cronJob("* * * * *", policy: .replace)], now: start)
        node.pass(advance: 0)
        node.pass(advance: 40)
        let first = try #require(node.state.jobs.first)
        node.pass(advance: 60)
        #expect(node.state.jobs.count == 1)
        #expect(node.state.jobs.first?.metadata.name == "tick-\(minutes("2024-01-15T10:02:00Z"))")
        #expect(node.events("SuccessfulDelete").map(\.message) == ["Deleted job \(first.metadata.name!)"])
        #expect(!node.state.pods.contains { $0.controllerUID == first.metadata.uid })
    }

    @Test func allowOverlaps() {
        let node = FakeNode([cronJob("* * * * *")], now: start)
        node.pass(advance: 0)
        node.passes(3, advance: 60)
        #expect(node.state.jobs.count == 3)
        #expect(node.state.cronJobs[0].status?.active?.count == 3)
    }

    @Test func historyLimitsKeepTheNewest() {
        let node = FakeNode([cronJob("* * * * *", successfulLimit: 1, failedLimit: 1)], now: start)
        node.pass(advance: 0)
        for minute in 0..<4 {
            node.pass(advance: 60)
            finishActive(node, exitCode: minute < 2 ? 1 : 0)
            node.pass(advance: 1)
        }
        node.pass(advance: 1)
        let finished = node.state.jobs.map { job in job.status?.conditions?.first?.type ?? "" }
        #expect(finished.sorted() == ["Complete", "Failed"])
        #expect(node.job("tick-\(minutes("2024-01-15T10:04:00Z"))") != nil)
    }

    @Test func suspendAndStartingDeadline() {
        let node = FakeNode([cronJob("* * * * *", suspend: true)], now: start)
        node.passes(5, advance: 60)
        #expect(node.state.jobs.isEmpty)
        // Unsuspended five minutes later with a 30 s deadline: only a schedule within 30 s runs.
        node.objects = [cronJob("* * * * *", deadline: 30)]
        node.pass(advance: 20)  // 10:05:50: 10:05 is 50 s ago
        #expect(node.state.jobs.isEmpty)
        node.pass(advance: 15)  // 10:06:05
        #expect(node.state.jobs.map(\.metadata.name) == ["tick-\(minutes("2024-01-15T10:06:00Z"))"])
    }

    @Test func badTimeZoneIsReportedOnce() {
        let node = FakeNode([cronJob("* * * * *", timeZone: "Mars/Olympus")], now: start)
        node.passes(3, advance: 60)
        #expect(node.state.jobs.isEmpty)
        #expect(node.events("UnknownTimeZone").map(\.message) == ["invalid timeZone: \"Mars/Olympus\""])
    }
}
