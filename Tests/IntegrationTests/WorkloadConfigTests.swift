import Foundation
import KubeAPI
import Kubelet
import Testing

/// Issue #6 §4–5: ConfigMaps, Secrets and Namespaces with real pods.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct WorkloadConfigTests {
    static func configMap(_ greeting: String) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data:
          greeting: "\(greeting)"
          colour: blue
        """
    }

    static let reader = TestManifests.pod("reader", labels: [:], containers: TestManifests.container(command: ["sh", "-c", "sleep 1000000"], """
        env:
        - name: GREETING
          valueFrom: {configMapKeyRef: {name: settings, key: greeting}}
        envFrom:
        - prefix: CFG_
          configMapRef: {name: settings}
        volumeMounts: [{name: cfg, mountPath: /etc/cfg}]
        """), volumes: "- {name: cfg, configMap: {name: settings}}")

    @Test func configMapEnvAndVolumeFollowAnEdit() throws {
        let node = try AgentHarness("configmap")
        defer { node.shutDown() }
        try node.start()
        try node.write("settings.yaml", Self.configMap("hello"))
        try node.write("reader.yaml", Self.reader)
        #expect(node.wait(30) { node.running("reader") }, "never ran:\n\(node.agentLog)")
        let env = node.cli(["exec", "reader", "--", "env"]).output
        #expect(env.contains("GREETING=hello\n") && env.contains("CFG_colour=blue\n"), "\(env)")
        #expect(node.cli(["exec", "reader", "--", "cat", "/etc/cfg/greeting"]).output == "hello")
        #expect(node.cli(["get", "cm"]).output.contains("settings   2      "))

        // An edit reaches the running container's volume through the ..data swap.
        try node.write("settings.yaml", Self.configMap("bonjour"))
        #expect(node.wait(20) { node.cli(["exec", "reader", "--", "cat", "/etc/cfg/greeting"]).output == "bonjour" })
        let link = node.cli(["exec", "reader", "--", "readlink", "/etc/cfg/greeting"]).output
        #expect(link == "..data/greeting\n", "\(link)")
        // Its volume goes away with the pod.
        let uid = try #require(node.pod("reader")?.metadata.uid)
        node.remove("reader.yaml")
        #expect(node.wait(30) { node.pod("reader") == nil })
        #expect(!FileManager.default.fileExists(atPath: node.root + "/pods/\(uid)"))
    }

    @Test func secretVolumeIsTmpfsWithMode0400() throws {
        let node = try AgentHarness("secret")
        defer { node.shutDown() }
        try node.start()
        let secret = """
            apiVersion: v1
            kind: Secret
            metadata: {name: vault}
            type: Opaque
            data:
              password: \(Data("s3cr3t".utf8).base64EncodedString())
            stringData:
              user: admin
            """
        let holder = TestManifests.pod("holder", labels: [:], containers: TestManifests.container(command: ["sh", "-c", "sleep 1000000"], """
            env:
            - name: USER_NAME
              valueFrom: {secretKeyRef: {name: vault, key: user}}
            volumeMounts: [{name: creds, mountPath: /etc/creds, readOnly: true}]
            """), volumes: "- {name: creds, secret: {secretName: vault, defaultMode: 0400}}")
        try node.write("vault.yaml", TestManifests.documents([secret, holder]))
        #expect(node.wait(30) { node.running("holder") }, "never ran:\n\(node.agentLog)")
        #expect(node.cli(["exec", "holder", "--", "cat", "/etc/creds/password"]).output == "s3cr3t")
        #expect(node.cli(["exec", "holder", "--", "stat", "-L", "-c", "%a", "/etc/creds/password"]).output == "400\n")
        let mounts = node.cli(["exec", "holder", "--", "cat", "/proc/mounts"]).output
        #expect(mounts.split(separator: "\n").contains { $0.contains(" /etc/creds ") && $0.contains(" tmpfs ") }, "\(mounts)")
        #expect(node.cli(["exec", "holder", "--", "sh", "-c", "echo $USER_NAME"]).output == "admin\n")
        let secrets = node.cli(["get", "secrets"]).output
        #expect(secrets.contains("vault   Opaque   2      "), "\(secrets)")
        // describe shows sizes, never the bytes.
        let described = node.cli(["describe", "secret", "vault"]).output
        #expect(described.contains("password:  6 bytes") && !described.contains("s3cr3t"), "\(described)")
        // On the node too the secret lives on a tmpfs, unmounted with the pod.
        let uid = try #require(node.pod("holder")?.metadata.uid)
        let hostPath = node.root + "/pods/\(uid)/volumes/kubernetes.io~secret/creds"
        #expect(ConfigVolumeMount.isTmpfsMount(hostPath), "\(ConfigVolumeMount.mountInfo() ?? "")")
        node.remove("vault.yaml")
        #expect(node.wait(30) { node.pod("holder") == nil })
        let mountinfo = ConfigVolumeMount.mountInfo() ?? ""
        #expect(!mountinfo.contains(uid), "tmpfs left mounted")
    }

    @Test func missingConfigMapIsACreateContainerConfigErrorNamingIt() throws {
        let node = try AgentHarness("missingcm")
        defer { node.shutDown() }
        try node.start()
        try node.write("lonely.yaml", TestManifests.pod("lonely", labels: [:], containers: TestManifests.container(
            command: ["sh", "-c", "echo $MODE; sleep 1000000"], "env: [{name: MODE, valueFrom: {configMapKeyRef: {name: absent, key: mode}}}]")))
        #expect(node.wait(30) { node.status("lonely", "c")?.state?.waiting?.reason == "CreateContainerConfigError" }, "\(node.agentLog)")
        #expect(node.status("lonely", "c")?.state?.waiting?.message == "configmap \"absent\" not found")
        #expect(node.cli(["get", "pods"]).output.contains("CreateContainerConfigError"))
        // Once the ConfigMap appears, the container starts with it.
        try node.write("absent.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: absent}
            data: {mode: fast}
            """)
        #expect(node.wait(30) { node.running("lonely") }, "\(node.agentLog)")
        #expect(node.wait(10) { node.cli(["logs", "lonely"]).output == "fast\n" })
    }

    /// A configMap volume that is missing holds the pod with FailedMount; once it appears the
    /// init container runs and the app container shows PodInitializing, not the old failure.
    @Test func aMountFailureClearsOnceTheVolumeMounts() throws {
        let node = try AgentHarness("latecm")
        defer { node.shutDown() }
        try node.start()
        try node.write("late.yaml", TestManifests.pod("late", spec: """
            initContainers:
            - name: init
              image: busybox
              imagePullPolicy: Never
              command: ["sleep", "1000000"]
            """, containers: TestManifests.container(command: TestManifests.sleepForever, """
                volumeMounts: [{name: conf, mountPath: /conf}]
                """), volumes: "- {name: conf, configMap: {name: later}}"))
        #expect(node.wait(30) { node.status("late", "c")?.state?.waiting?.message?.contains("configmap \"later\" not found") == true },
                "\(node.agentLog)")
        try node.write("later.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later}\ndata: {k: v}\n")
        #expect(node.wait(30) { node.pod("late")?.status?.initContainerStatuses?.first?.state?.running != nil }, "\(node.agentLog)")
        let waiting = node.status("late", "c")?.state?.waiting
        #expect(waiting?.reason == "PodInitializing" && waiting?.message == nil, "\(String(describing: waiting))")
    }

    @Test func sameNamesInTwoNamespacesCoexist() throws {
        let node = try AgentHarness("namespaces")
        defer { node.shutDown() }
        try node.start()
        for namespace in ["alpha", "beta"] {
            try node.write("\(namespace).yaml", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: \(namespace)}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings, namespace: \(namespace)}
                data: {team: \(namespace)}
                ---
                \(TestManifests.deployment("web", replicas: 2, namespace: namespace, command: "echo $team; sleep 1000000",
                                           "envFrom: [{configMapRef: {name: settings}}]"))
                """)
        }
        for namespace in ["alpha", "beta"] {
            #expect(node.wait(60) { node.runningPods("web", namespace: namespace).count == 2 }, "\(namespace):\n\(node.agentLog)")
        }
        #expect(node.wait(10) { node.cli(["get", "deployments", "-A"]).output.components(separatedBy: "2/2").count == 3 })
        let all = node.cli(["get", "deployments", "-A"]).output
        #expect(all.contains("alpha       web    2/2") && all.contains("beta        web    2/2"), "\(all)")
        let pod = try #require(node.runningPods("web", namespace: "beta").first?.metadata.name)
        #expect(node.wait(10) { node.cli(["logs", pod, "-n", "beta"]).output == "beta\n" }, "\(node.cli(["logs", pod, "-n", "beta"]).output) \(node.cli(["get", "pod", pod, "-n", "beta", "-o", "yaml"]).output)")
        #expect(node.cli(["get", "ns"]).output.contains("alpha     Active"))
        #expect(node.cli(["get", "cm", "-n", "alpha"]).output.contains("settings   1"))
        #expect(node.cli(["get", "pods"]).output.isEmpty)
        // A third file declaring alpha's ConfigMap again is rejected, naming both files.
        try node.write("dup.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: alpha}
            data: {team: impostor}
            """)
        #expect(node.wait(10) {
            let problems = (try? String(contentsOfFile: node.root + "/manifest-problems.json", encoding: .utf8)) ?? ""
            return problems.contains("settings") && problems.contains("alpha.yaml") && problems.contains("dup.yaml")
        })
        guard case .configMap(let kept) = node.object("ConfigMap", "settings", namespace: "alpha") else {
            Issue.record("alpha's ConfigMap is gone")
            return
        }
        #expect(kept.data?["team"] == "alpha")
    }
}
