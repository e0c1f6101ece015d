/// The YAML the integration suites write into an agent's manifest dir: busybox pods (the
/// imported test image, `imagePullPolicy: Never`), a Service over them, a Deployment of them.
/// A manifest special to one test (a broken field, an escape attempt, init containers) stays
/// in that test as a literal; the builders here are for the shapes the suites share.
enum TestManifests {
    /// A command that runs until its pod goes.
    static let sleepForever = ["sleep", "1000000"]
    /// httpd serving the test image's /www ("Hello from Swiftlet") on 8080.
    static let serveImagePage = ["httpd", "-f", "-p", "8080", "-h", "/www"]

    /// A Pod named `name` in the default namespace, labelled `app: <name>` unless `labels`
    /// says otherwise (`[:]`: no labels). `spec` is more YAML of the pod spec, `volumes` the
    /// items of its volume list, both written unindented; `restartPolicy` is left to the
    /// default (Always) unless given.
    static func pod(
        _ name: String, labels: [String: String]? = nil, restartPolicy: String? = nil, grace: Int = 1,
        spec: String = "", containers: String..., volumes: String = ""
    ) -> String {
        let labels = labels ?? ["app": name]
        var lines = ["apiVersion: v1", "kind: Pod"]
        if labels.isEmpty {
            lines.append("metadata: {name: \(name)}")
        } else {
            lines += ["metadata:", "  name: \(name)", "  labels: \(flowMap(labels))"]
        }
        lines.append("spec:")
        if let restartPolicy { lines.append("  restartPolicy: \(restartPolicy)") }
        lines += indented(spec, 2)
        lines += ["  terminationGracePeriodSeconds: \(grace)", "  containers:"]
        lines += containers.flatMap { indented($0, 2) }
        if !volumes.isEmpty { lines += ["  volumes:"] + indented(volumes, 2) }
        return lines.joined(separator: "\n")
    }

    /// One item of a pod's container list: `image` (busybox by default) running `command`,
    /// `imagePullPolicy: Never` unless `pullPolicy` says otherwise (nil: the image's default);
    /// `fields` are more YAML of the container (`ports`, probes, `env`, `volumeMounts`…), each
    /// written unindented.
    static func container(
        _ name: String = "c", image: String = "busybox", pullPolicy: String? = "Never", command: [String], _ fields: String...
    ) -> String {
        container(name, image: image, pullPolicy: pullPolicy, command: command, fields: fields)
    }

    private static func container(_ name: String, image: String, pullPolicy: String?, command: [String], fields: [String]) -> String {
        var lines = ["- name: \(name)", "  image: \(image)"]
        if let pullPolicy { lines.append("  imagePullPolicy: \(pullPolicy)") }
        lines.append("  command: \(flowList(command))")
        lines += fields.flatMap { indented($0, 2) }
        return lines.joined(separator: "\n")
    }

    /// A pod whose container `c` sleeps until the pod goes.
    static func sleeperPod(_ name: String, labels: [String: String]? = nil, restartPolicy: String? = nil) -> String {
        pod(name, labels: labels, restartPolicy: restartPolicy, containers: container(command: sleepForever))
    }

    /// A pod whose container `c` serves the image's page on 8080.
    static func httpdPod(_ name: String) -> String {
        pod(name, containers: container(command: serveImagePage))
    }

    /// Ready once `GET /` on `port` (a number or a port name) answers, probed every second.
    static func httpReadiness(port: String) -> String {
        """
        readinessProbe:
          httpGet: {path: /, port: \(port)}
          periodSeconds: 1
        """
    }

    /// Ready a second after the container starts.
    static let readyAfterOneSecond = """
        readinessProbe:
          exec: {command: ["true"]}
          initialDelaySeconds: 1
          periodSeconds: 1
        """

    /// A memory limit of `amount` (say `32Mi`).
    static func memoryLimit(_ amount: String) -> String {
        "resources: {limits: {memory: \(amount)}}"
    }

    /// A Service over the pods labelled `selector`, with one TCP port named `http`: `port` to
    /// the pods' `targetPort` (a number or a port name), on `nodePort` when given.
    static func service(
        _ name: String, selector: [String: String], type: String = "ClusterIP", port: Int = 80, targetPort: String = "http",
        nodePort: Int? = nil, sessionAffinity: String? = nil
    ) -> String {
        var lines = [
            "apiVersion: v1", "kind: Service", "metadata: {name: \(name)}", "spec:",
            "  type: \(type)", "  selector: \(flowMap(selector))", "  ports:",
            "  - name: http", "    port: \(port)", "    targetPort: \(targetPort)",
        ]
        if let nodePort { lines.append("    nodePort: \(nodePort)") }
        if let sessionAffinity { lines.append("  sessionAffinity: \(sessionAffinity)") }
        return lines.joined(separator: "\n")
    }

    /// A Deployment of `replicas` pods labelled `app: <name>`, each a busybox container
    /// `main` running `sh -c command` with `env` (sorted by name; `UNUSED=0` when empty, so
    /// the list is never empty); `fields` are more YAML of the container, as in `container`.
    static func deployment(
        _ name: String, replicas: Int, namespace: String = "default", env: [String: String] = [:],
        command: String = "sleep 1000000", _ fields: String...
    ) -> String {
        let variables = env.isEmpty ? [("UNUSED", "0")] : env.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let envList = (["env:"] + variables.map { "- {name: \($0.0), value: \(quoted($0.1))}" }).joined(separator: "\n")
        let main = container("main", image: "busybox", pullPolicy: "Never", command: ["sh", "-c", command], fields: fields + [envList])
        let lines = [
            "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: \(name)", "  namespace: \(namespace)", "spec:",
            "  replicas: \(replicas)", "  selector:", "    matchLabels: {app: \(name)}", "  template:", "    metadata:",
            "      labels: {app: \(name)}", "    spec:", "      terminationGracePeriodSeconds: 1", "      containers:",
        ]
        return (lines + indented(main, 6)).joined(separator: "\n")
    }

    /// Manifests as one multi-document file.
    static func documents(_ manifests: [String]) -> String {
        manifests.joined(separator: "\n---\n")
    }

    /// The non-empty lines of `yaml`, each `spaces` further in.
    private static func indented(_ yaml: String, _ spaces: Int) -> [String] {
        let pad = String(repeating: " ", count: spaces)
        return yaml.split(separator: "\n").map { pad + $0 }
    }

    /// `{key: value, …}` sorted by key.
    private static func flowMap(_ map: [String: String]) -> String {
        "{" + map.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }

    /// `["a", "b"]`, each item a double-quoted scalar.
    private static func flowList(_ items: [String]) -> String {
        "[" + items.map(quoted).joined(separator: ", ") + "]"
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
