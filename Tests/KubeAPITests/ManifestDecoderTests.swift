import Foundation
import Testing
@testable import KubeAPI

@Suite struct ManifestDecoderTests {
    let decoder = ManifestDecoder()

    @Test func decodesAPodWithDefaults() throws {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels: {app: web}
            spec:
              containers:
              - name: httpd
                image: busybox
                command: ["httpd", "-f"]
                ports:
                - containerPort: 8080
                  name: http
                resources:
                  limits: {cpu: 500m, memory: 64Mi}
                readinessProbe:
                  httpGet: {port: http}
            """
        let results = decoder.decode(fileName: "web.yaml", text: yaml)
        #expect(results.count == 1)
        guard case .object(let decoded) = results.first, case .pod(let pod) = decoded.object else {
            Issue.record("expected a pod, got \(results)")
            return
        }
        #expect(pod.metadata.name == "web")
        #expect(pod.metadata.namespace == "default")
        #expect(pod.spec.restartPolicy == .always)
        #expect(pod.spec.dnsPolicy == .clusterFirst)
        #expect(pod.spec.terminationGracePeriodSeconds == 30)
        let container = pod.spec.containers[0]
        #expect(container.imagePullPolicy == .always)
        #expect(container.ports?[0].protocol == .tcp)
        #expect(container.resources?.limits?["cpu"]?.milliValue == 500)
        #expect(container.resources?.requests?["memory"]?.value == Int64(64 << 20))
        #expect(container.readinessProbe?.periodSeconds == 10)
        #expect(container.readinessProbe?.httpGet?.path == "/")
        #expect(container.readinessProbe?.httpGet?.port == .string("http"))
        #expect(decoded.warnings.isEmpty)
    }

    @Test func namesFileDocumentObjectAndField() {
        let yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: ok}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers:
              - name: c
            """
        let results = decoder.decode(fileName: "bad.yaml", text: yaml)
        #expect(results.count == 2)
        #expect(results[0].object != nil)
        #expect(results[1].error?.description == "bad.yaml: document 2 (Pod/web): spec.containers[0].image: Required value")
    }
}

@Test func decodesCompactJSON() {
    let json = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"b"}},"data":{"k":"v\/x\u00e9","n":"1"}}"#
    let results = ManifestDecoder().decode(fileName: "c.json", text: json)
    guard case .configMap(let map)? = results.first?.object?.object else {
        Issue.record("\(results)")
        return
    }
    #expect(map.data == ["k": "v/xé", "n": "1"])
}

@Test func goodPodFixtureCarriesEveryField() throws {
    let url = Fixtures.directory.appendingPathComponent("good/pod.yaml")
    let results = ManifestDecoder().decode(fileName: "pod.yaml", bytes: try Fixtures.bytes(url))
    guard case .pod(let pod)? = results.first?.object?.object else {
        Issue.record("\(results)")
        return
    }
    #expect(pod.metadata.namespace == "shop")
    #expect(pod.spec.shareProcessNamespace == true)
    #expect(pod.spec.dnsConfig?.options?.first == PodDNSConfigOption(name: "ndots", value: "2"))
    #expect(pod.spec.initContainers?.map(\.name) == ["setup"])
    let httpd = pod.spec.containers[0]
    #expect(httpd.args == ["-f", "-p", "$(PORT)", "-h", "/work"])
    #expect(httpd.env?[3].valueFrom?.resourceFieldRef?.divisor?.value == 1 << 20)
    #expect(httpd.env?[4].valueFrom?.configMapKeyRef == ConfigMapKeySelector(name: "web-config", key: "greeting", optional: true))
    #expect(httpd.envFrom?.first?.prefix == "CFG_")
    #expect(httpd.resources?.limits?["cpu"]?.description == "500m")
    #expect(httpd.volumeMounts?[2].subPath == "web")
    #expect(httpd.livenessProbe?.httpGet?.httpHeaders == [HTTPHeader(name: "X-Probe", value: "liveness")])
    #expect(httpd.livenessProbe?.failureThreshold == 5)
    #expect(httpd.lifecycle?.preStop?.sleep?.seconds == 1)
    #expect(httpd.securityContext?.capabilities == Capabilities(add: ["NET_BIND_SERVICE"], drop: ["ALL"]))
    #expect(httpd.terminationMessagePath == "/tmp/termination-log")
    #expect(pod.spec.containers[1].imagePullPolicy == .always)
    let volumes = pod.spec.volumes ?? []
    #expect(volumes[1].emptyDir == EmptyDirVolumeSource(medium: .memory, sizeLimit: "16Mi"))
    #expect(volumes[2].hostPath == HostPathVolumeSource(path: "/var/lib/web", type: .directoryOrCreate))
    // YAML 1.1 octal, as in most real manifests.
    #expect(volumes[3].configMap?.defaultMode == 0o440)
    #expect(volumes[3].configMap?.items == [KeyToPath(key: "greeting", path: "greeting.txt", mode: 0o400)])
    #expect(volumes[4].secret?.optional == true)
    #expect(volumes[5].projected?.sources?.count == 3)
    #expect(QOSClass.of(pod) == .burstable)
}

@Test func crlfLineEndingsAndByteOrderMarkAreAccepted() {
    let text = "\u{FEFF}apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\ndata:\r\n  a: \"1\"\r\n"
    let results = ManifestDecoder().decode(fileName: "w.yaml", text: text)
    guard case .configMap(let map)? = results.first?.object?.object else {
        Issue.record("\(results)")
        return
    }
    #expect(map.metadata.name == "crlf")
    #expect(map.data == ["a": "1"])
}
