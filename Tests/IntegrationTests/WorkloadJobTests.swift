import Foundation
import KubeAPI
import Kubelet
import Testing

/// Issue #6 §3: Jobs and CronJobs through `swiftlet run` with real pods.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct WorkloadJobTests {
    static func job(_ name: String, completions: Int, parallelism: Int, backoffLimit: Int = 6, command: String) -> String {
        """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: \(name)}
        spec:
          completions: \(completions)
          parallelism: \(parallelism)
          backoffLimit: \(backoffLimit)
          template:
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: busybox
                imagePullPolicy: Never
                command: ["sh", "-c", "\(command)"]
        """
    }

    func job(_ node: AgentHarness, _ name: String) -> Job? {
        if case .job(let job) = node.object("Job", name) { return job }
        return nil
    }

    @Test func jobWithCompletionsThreeAndParallelismTwoCompletes() throws {
        let node = try AgentHarness("job")
        defer { node.shutDown() }
        try node.start()
        try node.write("count.yaml", Self.job("count", completions: 3, parallelism: 2, command: "echo counted; sleep 1"))
        var mostRunning = 0
        let completed = node.wait(90) {
            mostRunning = max(mostRunning, node.runningPods("count").count)
            return job(node, "count")?.status?.succeeded == 3
                && job(node, "count")?.status?.conditions?.contains { $0.type == "Complete" && $0.status == .true } == true
        }
        #expect(completed, "\(node.agentLog)")
        #expect(mostRunning <= 2 && mostRunning >= 1)
        let table = node.cli(["get", "jobs"]).output
        #expect(table.hasPrefix("NAME    STATUS     COMPLETIONS   DURATION   AGE\ncount   Complete   3/3  "), "\(table)")
        let pods = node.ownedPods("count")
        #expect(pods.count == 3 && pods.allSatisfy { $0.status?.phase == .succeeded })
        #expect(node.cli(["logs", try #require(pods.first?.metadata.name)]).output == "counted\n")
        #expect(node.cli(["get", "pods"]).output.components(separatedBy: "Completed").count == 4)
        #expect(node.cli(["describe", "job", "count"]).output.contains("Completed"))
    }

    @Test func failingJobStopsAtItsBackoffLimit() throws {
        let node = try AgentHarness("jobfail")
        defer { node.shutDown() }
        try node.start()
        try node.write("fail.yaml", Self.job("fail", completions: 1, parallelism: 1, backoffLimit: 1, command: "exit 3"))
        let failed = node.wait(90) {
            job(node, "fail")?.status?.conditions?.contains { $0.type == "Failed" && $0.status == .true } == true
        }
        #expect(failed, "\(node.agentLog)")
        let status = try #require(job(node, "fail")?.status)
        #expect(status.failed == 2)
        #expect(status.conditions?.first { $0.type == "Failed" }?.reason == "BackoffLimitExceeded")
        #expect(node.cli(["get", "jobs"]).output.contains("fail   Failed   0/1"))
        // No pod runs after the Job failed.
        Thread.sleep(forTimeInterval: 3)
        #expect(node.ownedPods("fail").allSatisfy { $0.status?.phase == .failed })
        #expect(node.ownedPods("fail").count <= 2)
    }

    @Test func cronJobEveryMinuteCreatesItsJob() throws {
        let node = try AgentHarness("cron")
        defer { node.shutDown() }
        try node.start()
        try node.write("tick.yaml", """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: tick}
            spec:
              schedule: "* * * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: main
                        image: busybox
                        imagePullPolicy: Never
                        command: ["sh", "-c", "echo tick"]
            """)
        #expect(node.wait(10) { node.cli(["get", "cronjobs"]).output.contains("tick   * * * * *   <none>     false     0        <none>") })
        // The next whole minute: a Job named tick-<minutes since the epoch> runs its pod.
        let ran = node.wait(80) {
            node.ownedPods("tick").contains { $0.status?.phase == .succeeded }
        }
        #expect(ran, "\(node.agentLog)")
        let jobs = ObjectStore(root: node.root).list(kind: "Job", namespace: "default")
        #expect(jobs.count >= 1 && jobs.allSatisfy { $0.name.hasPrefix("tick-") })
        let pod = try #require(node.ownedPods("tick").first { $0.status?.phase == .succeeded })
        #expect(node.cli(["logs", try #require(pod.metadata.name)]).output == "tick\n")
        #expect(node.wait(10) { !node.cli(["get", "cj"]).output.contains("<none>     false     0        <none>") })
        #expect(node.cli(["describe", "cronjob", "tick"]).output.contains("SuccessfulCreate"))
    }
}
