import Foundation
import Testing
@testable import KubeAPI

@Suite struct DefaultsTests {
    func decode(_ yaml: String) -> KubeObject? {
        let results = ManifestDecoder().decode(fileName: "t.yaml", text: yaml)
        if results.first?.object == nil { Issue.record("\(results)") }
        return results.first?.object?.object
    }

    let template = """
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: c
                image: busybox:1.36
        """

    @Test func deployment() throws {
        guard case .deployment(let d)? = decode("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n" + template) else { return }
        #expect(d.metadata.namespace == "default")
        #expect(d.spec.replicas == 1)
        #expect(d.spec.strategy?.type == .rollingUpdate)
        #expect(d.spec.strategy?.rollingUpdate?.maxSurge == .string("25%"))
        #expect(d.spec.strategy?.rollingUpdate?.maxUnavailable == .string("25%"))
        #expect(d.spec.revisionHistoryLimit == 10)
        #expect(d.spec.progressDeadlineSeconds == 600)
        #expect(d.spec.template.spec.restartPolicy == .always)
        #expect(d.spec.template.spec.containers[0].imagePullPolicy == .ifNotPresent)
    }

    @Test func recreateDeploymentHasNoRollingParameters() {
        guard case .deployment(let d)? = decode("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  strategy: {type: Recreate}\n  selector: {matchLabels: {app: web}}\n" + template) else { return }
        #expect(d.spec.strategy == DeploymentStrategy(type: .recreate))
    }

    @Test func replicaSetAndDaemonSet() {
        guard case .replicaSet(let rs)? = decode("apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n" + template) else { return }
        #expect(rs.spec.replicas == 1)
        guard case .daemonSet(let ds)? = decode("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n" + template) else { return }
        #expect(ds.spec.updateStrategy?.type == "RollingUpdate")
        #expect(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable == .int(1))
        #expect(ds.spec.revisionHistoryLimit == 10)
    }

    @Test func jobAndCronJob() {
        let jobTemplate = "  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - {name: c, image: busybox}\n"
        guard case .job(let job)? = decode("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n" + jobTemplate) else { return }
        #expect(job.spec.completions == 1)
        #expect(job.spec.parallelism == 1)
        #expect(job.spec.backoffLimit == 6)
        #expect(job.spec.completionMode == "NonIndexed")
        #expect(job.spec.suspend == false)
        guard case .job(let parallel)? = decode("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  parallelism: 3\n" + jobTemplate) else { return }
        #expect(parallel.spec.completions == nil)
        #expect(parallel.spec.parallelism == 3)
        let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '*/5 * * * *'\n  jobTemplate:\n    spec:\n" + jobTemplate.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
        guard case .cronJob(let cronJob)? = decode(cron) else { return }
        #expect(cronJob.spec.concurrencyPolicy == .allow)
        #expect(cronJob.spec.suspend == false)
        #expect(cronJob.spec.successfulJobsHistoryLimit == 3)
        #expect(cronJob.spec.failedJobsHistoryLimit == 1)
        #expect(cronJob.spec.jobTemplate.spec.backoffLimit == 6)
    }

    @Test func service() {
        guard case .service(let s)? = decode("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  sessionAffinity: ClientIP\n  ports:\n  - {name: http, port: 80}\n  - {name: dns, port: 53, protocol: UDP, targetPort: 5353}\n") else { return }
        #expect(s.spec.type == .clusterIP)
        #expect(s.spec.ports?[0].protocol == .tcp)
        #expect(s.spec.ports?[0].targetPort == .int(80))
        #expect(s.spec.ports?[1].targetPort == .int(5353))
        #expect(s.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == 10800)
        guard case .service(let plain)? = decode("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n") else { return }
        #expect(plain.spec.sessionAffinity == ServiceAffinity.none)
    }

    @Test func podSpecDetails() {
        guard case .pod(let pod)? = decode("""
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              hostNetwork: true
              containers:
              - name: c
                image: busybox
                ports: [{containerPort: 9100}]
                resources: {limits: {memory: 32Mi}}
                env: [{name: N, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
                livenessProbe: {tcpSocket: {port: 9100}}
              volumes:
              - {name: s, secret: {secretName: s}}
              - {name: c, configMap: {name: c}}
              - {name: h, hostPath: {path: /tmp}}
            """) else { return }
        let c = pod.spec.containers[0]
        #expect(c.ports?[0].hostPort == 9100)
        #expect(c.resources?.requests?["memory"]?.description == "32Mi")
        #expect(c.env?[0].valueFrom?.fieldRef?.apiVersion == "v1")
        #expect(c.livenessProbe == Probe(tcpSocket: TCPSocketAction(port: 9100), initialDelaySeconds: 0, timeoutSeconds: 1,
            periodSeconds: 10, successThreshold: 1, failureThreshold: 3))
        #expect(c.terminationMessagePath == "/dev/termination-log")
        #expect(pod.spec.volumes?[0].secret?.defaultMode == 0o644)
        #expect(pod.spec.volumes?[1].configMap?.defaultMode == 0o644)
        #expect(pod.spec.volumes?[2].hostPath?.type == .unset)
        #expect(pod.spec.schedulerName == "default-scheduler")
    }

    @Test(arguments: [
        ("busybox", PullPolicy.always), ("busybox:latest", .always), ("busybox:1.36", .ifNotPresent),
        ("registry:5000/busybox", .always), ("registry:5000/team/busybox:1", .ifNotPresent),
        ("busybox@sha256:0123456789abcdef", .ifNotPresent), ("docker.io/library/busybox:latest", .always),
    ])
    func imagePullPolicy(image: String, policy: PullPolicy) {
        #expect(Container.defaultPullPolicy(image: image) == policy)
    }

    @Test func validObjectsThatLookOdd() {
        // A sidecar (init container with restartPolicy Always) may carry probes.
        #expect(decode("""
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              initContainers:
              - {name: proxy, image: busybox, restartPolicy: Always, readinessProbe: {tcpSocket: {port: 1}}}
              containers:
              - {name: c, image: busybox}
            """) != nil)
        #expect(decode("apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  clusterIP: None\n  selector: {app: db}\n") != nil)
        #expect(decode("apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec:\n  type: ExternalName\n  externalName: example.com\n") != nil)
        #expect(decode("apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n")?.namespace == nil)
    }
}

@Test func goZeroValuesAreDefaulted() {
    let results = ManifestDecoder().decode(fileName: "z.yaml", text: """
        apiVersion: v1
        kind: Pod
        metadata: {name: z}
        spec:
          restartPolicy: ""
          containers:
          - name: c
            image: busybox
            ports: [{containerPort: 80, protocol: ""}]
            readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 0, timeoutSeconds: 0}
        """)
    guard case .pod(let pod)? = results.first?.object?.object else {
        Issue.record("\(results)")
        return
    }
    #expect(pod.spec.restartPolicy == .always)
    #expect(pod.spec.containers[0].ports?[0].protocol == .tcp)
    #expect(pod.spec.containers[0].readinessProbe?.periodSeconds == 10)
    #expect(pod.spec.containers[0].readinessProbe?.timeoutSeconds == 1)
}
