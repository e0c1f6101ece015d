import Foundation
import Testing

/// The real kubectl 1.32 driving the node through its Kubernetes API, as a course's
/// walk-through does it; each step checks what kubectl prints against a real cluster.
@Suite(.enabled(if: getuid() == 0 && AgentHarness.hasKubectl))
struct KubectlWalkthroughTests {
    @Test func courseWalkthrough() throws {
        let node = try AgentHarness("kubectl")
        defer { node.shutDown() }
        try node.importImage(as: "busybox:stable", "busybox:v2")
        try node.start()
        #expect(node.wait(30) { FileManager.default.fileExists(atPath: node.kubeconfig) })
        #expect(node.waitForKubectl(["version"], timeout: 20) { $0.contains("Server Version: v1.32") }.contains("Server Version"))

        // get nodes: this node, Ready.
        let nodes = node.kubectl("get nodes").output
        #expect(nodes.contains("NAME") && nodes.contains("STATUS") && nodes.contains("node1") && nodes.contains("Ready"), "\(nodes)")

        // run, then curl the pod's IP.
        #expect(node.kubectl("run web --image=busybox:stable --port=8080 -- httpd -f -p 8080 -h /etc").output.contains("pod/web created"))
        node.waitForKubectl(["get", "pod", "web", "-o", "jsonpath={.status.phase}"]) { $0 == "Running" }
        let ip = node.kubectl(["get", "pod", "web", "-o", "jsonpath={.status.podIP}"]).output
        #expect(node.curl("http://\(ip):8080/hostname")?.contains("web") == true, "pod IP \(ip)")

        // create deployment with 3 replicas; get pods -o wide; get all.
        #expect(node.kubectl("create deployment hello --image=busybox:stable --replicas=3 -- httpd -f -p 8080 -h /etc").output
            .contains("deployment.apps/hello created"))
        let wide = node.waitForKubectl(["get", "pods", "-o", "wide"]) { out in
            out.split(separator: "\n").filter { $0.hasPrefix("hello-") && $0.contains("Running") }.count == 3
        }
        #expect(wide.contains("IP") && wide.contains("NODE") && wide.contains("10.") && wide.contains("node1"), "\(wide)")
        let all = node.kubectl("get all").output
        for name in ["pod/web", "deployment.apps/hello", "replicaset.apps/hello-"] { #expect(all.contains(name), "\(all)") }
        #expect(node.kubectl("get deploy").output.contains("3/3"))

        // expose; curl the ClusterIP, and the Service's name from a pod.
        #expect(node.kubectl("expose deployment hello --port=80 --target-port=8080").output.contains("service/hello exposed"))
        // The agent's next pass allocates the ClusterIP (upstream's apiserver does it in the create).
        let vip = node.waitForKubectl(["get", "svc", "hello", "-o", "jsonpath={.spec.clusterIP}"], timeout: 30) { !$0.isEmpty }
        #expect(vip.hasPrefix("10.96."), "\(vip)")
        #expect(node.wait(30) { node.curl("http://\(vip)/hostname")?.hasPrefix("hello-") == true })
        let byName = node.kubectl(["exec", "web", "--", "wget", "-q", "-O-", "http://hello.default.svc.cluster.local/hostname"]).output
        #expect(byName.hasPrefix("hello-"), "\(byName)")

        // scale to 5.
        #expect(node.kubectl("scale deployment hello --replicas=5").output.contains("deployment.apps/hello scaled"))
        node.waitForKubectl(["get", "deploy", "hello"]) { $0.contains("5/5") }

        // set image, rollout status, history, undo.
        #expect(node.kubectl("set image deployment/hello busybox=busybox:v2").output.contains("image updated"))
        #expect(node.kubectl("rollout status deployment/hello --timeout=90s").output.contains("successfully rolled out"))
        let history = node.kubectl("rollout history deployment/hello").output
        #expect(history.contains("REVISION") && history.contains("1 ") && history.contains("2 "), "\(history)")
        #expect(node.kubectl("rollout undo deployment/hello").output.contains("rolled back"))
        #expect(node.kubectl("rollout status deployment/hello --timeout=90s").output.contains("successfully rolled out"))
        #expect(node.kubectl(["get", "deploy", "hello", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]).output == "busybox:stable")

        // delete a replica: a replacement comes.
        let before = Set(helloPods(node))
        let victim = try #require(before.first)
        #expect(node.kubectl(["delete", "pod", victim]).output.contains("pod \"\(victim)\" deleted"))
        let after = node.waitForKubectl(["get", "pods", "--no-headers"]) { out in
            let names = out.split(separator: "\n").filter { $0.hasPrefix("hello-") && $0.contains("Running") }.map { String($0.split(separator: " ")[0]) }
            return names.count == 5 && !names.contains(victim)
        }
        #expect(!after.contains(victim + " "), "\(after)")

        // apply twice, then edited.
        let manifest = node.base + "/applied.yaml"
        try appliedPod(label: "one").write(toFile: manifest, atomically: true, encoding: .utf8)
        #expect(node.kubectl(["apply", "-f", manifest]).output.contains("pod/applied created"))
        #expect(node.kubectl(["apply", "-f", manifest]).output.contains("pod/applied unchanged"))
        try appliedPod(label: "two").write(toFile: manifest, atomically: true, encoding: .utf8)
        #expect(node.kubectl(["apply", "-f", manifest]).output.contains("pod/applied configured"))
        #expect(node.kubectl(["get", "pod", "applied", "-o", "jsonpath={.metadata.labels.step}"]).output == "two")

        // logs, logs --tail, describe.
        node.waitForKubectl(["logs", "applied"]) { $0.contains("line2") }
        #expect(node.kubectl("logs applied --tail 1").output == "line2\n")
        let described = node.kubectl("describe pod applied").output
        #expect(described.contains("Name:") && described.contains("applied") && described.contains("Status:") && described.contains("Running"))

        // exec -it through a pty.
        let tty = node.runInNode(["/usr/bin/script", "-qec", "/usr/bin/env KUBECONFIG=\(node.kubeconfig) kubectl exec -it web -- sh -c 'tty; exit 0'", "/dev/null"])
        #expect(tty.output.contains("/dev/pts/"), "\(tty.output)")
        let code = node.kubectl(["exec", "web", "--", "sh", "-c", "exit 3"])
        #expect(code.status == 3 && code.output.contains("command terminated with exit code 3"))

        // get pods -w shows a change as it happens.
        let watch = try node.kubectlInBackground(["get", "pods", "-w"])
        Thread.sleep(forTimeInterval: 1)
        #expect(node.kubectl("run watched --image=busybox:stable -- sleep 3600").status == 0)
        let seen = node.wait(20) { ((try? String(contentsOfFile: watch.output, encoding: .utf8)) ?? "").contains("watched") }
        kill(watch.process.processIdentifier, SIGTERM)
        watch.process.waitUntilExit()
        #expect(seen, "get pods -w never showed the new pod")

        // configmap and secret from literals, used by a pod.
        #expect(node.kubectl("create configmap cfg --from-literal=color=blue").output.contains("configmap/cfg created"))
        #expect(node.kubectl("create secret generic sec --from-literal=password=s3cret").output.contains("secret/sec created"))
        try configuredPod.write(toFile: node.base + "/configured.yaml", atomically: true, encoding: .utf8)
        #expect(node.kubectl(["apply", "-f", node.base + "/configured.yaml"]).status == 0)
        node.waitForKubectl(["get", "pod", "configured", "-o", "jsonpath={.status.phase}"]) { $0 == "Running" }
        let env = node.kubectl(["exec", "configured", "--", "sh", "-c", "echo $COLOR $PASSWORD"]).output
        #expect(env == "blue s3cret\n", "\(env)")

        // cp both ways.
        try "copied in\n".write(toFile: node.base + "/cp-in", atomically: true, encoding: .utf8)
        #expect(node.kubectl(["cp", node.base + "/cp-in", "web:/tmp/cp-in"]).status == 0)
        #expect(node.kubectl(["exec", "web", "--", "cat", "/tmp/cp-in"]).output == "copied in\n")
        #expect(node.kubectl(["cp", "web:/tmp/cp-in", node.base + "/cp-out"]).status == 0)
        #expect((try? String(contentsOfFile: node.base + "/cp-out", encoding: .utf8)) == "copied in\n")

        // delete -f.
        #expect(node.kubectl(["delete", "-f", manifest]).output.contains("pod \"applied\" deleted"))
        #expect(node.kubectl("get pod applied").output.contains("NotFound"))
    }

    private func helloPods(_ node: AgentHarness) -> [String] {
        node.kubectl("get pods --no-headers").output.split(separator: "\n")
            .filter { $0.hasPrefix("hello-") && $0.contains("Running") }.map { String($0.split(separator: " ")[0]) }
    }

    private func appliedPod(label: String) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: applied
          labels:
            step: \(label)
        spec:
          containers:
          - name: c
            image: busybox:stable
            command: ["sh", "-c", "echo line1; echo line2; sleep 3600"]

        """
    }

    private var configuredPod: String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: configured
        spec:
          containers:
          - name: c
            image: busybox:stable
            command: ["sleep", "3600"]
            env:
            - name: COLOR
              valueFrom: {configMapKeyRef: {name: cfg, key: color}}
            - name: PASSWORD
              valueFrom: {secretKeyRef: {name: sec, key: password}}

        """
    }
}
