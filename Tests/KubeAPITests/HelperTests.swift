import Foundation
import Testing
@testable import KubeAPI

@Suite struct HelperTests {
    let pod = Pod(metadata: ObjectMeta(name: "web", labels: ["app": "web"]),
        spec: PodSpec(containers: [Container(name: "c", image: "busybox",
            ports: [ContainerPort(name: "http", containerPort: 8080), ContainerPort(name: "dns", containerPort: 53, protocol: .udp)])]))

    @Test func digests() {
        #expect(Digest.md5Hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Digest.md5Hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(Digest.md5Hex(Array("The quick brown fox jumps over the lazy dog".utf8)) == "9e107d9d372bb6826bd81d3542a419d6")
        #expect(Digest.md5Hex(Array(repeating: 0x61, count: 1000)) == "cabe45dcc9ae5b66ba86600cca6b8ba8")
        #expect(Digest.fnv32a([]) == 0x811c_9dc5)
        #expect(Digest.fnv32a(Array("a".utf8)) == 0xe40c_292c)
    }

    @Test func staticPodUIDStaysTheSame() {
        // Pinned: a restarted (or upgraded) agent must derive the UID its running pod has.
        let uid = StaticPod.prepare(pod, nodeName: "Node1", source: "/etc/swiftlet/manifests/web.yaml").metadata.uid
        #expect(uid == "45487b46ba17a56502e810bfa8c4349d")
    }

    @Test func staticPod() {
        let prepared = StaticPod.prepare(pod, nodeName: "Node1", source: "/etc/swiftlet/manifests/web.yaml")
        #expect(prepared.metadata.name == "web-node1")
        #expect(prepared.metadata.namespace == "default")
        #expect(prepared.spec.nodeName == "Node1")
        #expect(prepared.status?.phase == .pending)
        let uid = prepared.metadata.uid ?? ""
        #expect(uid.count == 32 && uid.allSatisfy(\.isHexDigit))
        #expect(prepared.metadata.annotations == [
            "kubernetes.io/config.hash": uid, "kubernetes.io/config.source": "file", "kubernetes.io/config.mirror": uid,
        ])
        // Same input, same UID (an agent restart adopts); other node, file or spec: another.
        #expect(StaticPod.prepare(pod, nodeName: "Node1", source: "/etc/swiftlet/manifests/web.yaml") == prepared)
        #expect(StaticPod.prepare(pod, nodeName: "node2", source: "/etc/swiftlet/manifests/web.yaml").metadata.uid != uid)
        #expect(StaticPod.prepare(pod, nodeName: "Node1", source: "/other/web.yaml").metadata.uid != uid)
        var edited = pod
        edited.spec.containers[0].image = "busybox:1.36"
        #expect(StaticPod.prepare(edited, nodeName: "Node1", source: "/etc/swiftlet/manifests/web.yaml").metadata.uid != uid)
        var withUID = pod
        withUID.metadata.uid = "fixed"
        #expect(StaticPod.prepare(withUID, nodeName: "n", source: "s").metadata.uid == "fixed")
    }

    @Test func qosClasses() throws {
        func spec(_ resources: [ResourceRequirements?]) -> PodSpec {
            var spec = PodSpec(containers: resources.enumerated().map { Container(name: "c\($0.offset)", image: "i", resources: $0.element) })
            spec.applyDefaults()
            return spec
        }
        let both: [String: Quantity] = ["cpu": "500m", "memory": "64Mi"]
        #expect(QOSClass.of(spec([nil])) == .bestEffort)
        #expect(QOSClass.of(spec([ResourceRequirements(limits: both)])) == .guaranteed)
        #expect(QOSClass.of(spec([ResourceRequirements(limits: both, requests: both)])) == .guaranteed)
        #expect(QOSClass.of(spec([ResourceRequirements(requests: ["cpu": "100m"])])) == .burstable)
        #expect(QOSClass.of(spec([ResourceRequirements(limits: both), nil])) == .burstable)
        #expect(QOSClass.of(spec([ResourceRequirements(limits: ["memory": "64Mi"])])) == .burstable)
        #expect(QOSClass.of(spec([ResourceRequirements(limits: both, requests: ["cpu": "100m", "memory": "64Mi"])])) == .burstable)
    }

    @Test func envExpansion() {
        let vars = ["A": "1", "EMPTY": ""]
        #expect(EnvExpansion.expand("$(A)", variables: vars) == "1")
        #expect(EnvExpansion.expand("x$(A)y$(A)", variables: vars) == "x1y1")
        #expect(EnvExpansion.expand("$(B)", variables: vars) == "$(B)")
        #expect(EnvExpansion.expand("$$(A)", variables: vars) == "$(A)")
        #expect(EnvExpansion.expand("$$", variables: vars) == "$")
        #expect(EnvExpansion.expand("$(A", variables: vars) == "$(A")
        #expect(EnvExpansion.expand("a$b$", variables: vars) == "a$b$")
        #expect(EnvExpansion.expand("[$(EMPTY)]", variables: vars) == "[]")
        let resolved = EnvExpansion.resolve([
            EnvVar(name: "B", value: "$(A)-b"), EnvVar(name: "A", value: "x"), EnvVar(name: "C", value: "$(A)-$(D)"),
            EnvVar(name: "POD", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.name"))),
        ], base: ["A": "base"]) { $0.name == "POD" ? "web" : nil }
        #expect(resolved.map { "\($0.name)=\($0.value)" } == ["A=x", "B=base-b", "C=x-$(D)", "POD=web"])
    }

    @Test func portResolution() {
        let container = pod.spec.containers[0]
        #expect(pod.spec.resolvePort(container: container, port: .int(9)) == 9)
        #expect(pod.spec.resolvePort(container: container, port: "http") == 8080)
        #expect(pod.spec.resolvePort(container: container, port: "8081") == 8081)
        #expect(pod.spec.resolvePort(container: container, port: "nope") == nil)
        #expect(pod.spec.resolvePort("dns", protocol: .udp) == 53)
        #expect(pod.spec.resolvePort("dns", protocol: .tcp) == nil)
    }

    @Test func podTemplateHash() {
        #expect(PodTemplateHash.safeEncode("0123456789") == "456789bcdf")
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web"]), spec: pod.spec)
        let hash = PodTemplateHash.of(template)
        #expect(!hash.isEmpty && hash.count <= 10)
        #expect(hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        #expect(PodTemplateHash.of(template) == hash)
        #expect(PodTemplateHash.of(template, collisionCount: 1) != hash)
        var changed = template
        changed.spec.containers[0].env = [EnvVar(name: "V", value: "2")]
        #expect(PodTemplateHash.of(changed) != hash)
    }
}

@Test func objectKeysIdentifyObjects() {
    let results = ManifestDecoder().decode(fileName: "k.yaml", text: """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: a}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: a, namespace: team}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: team}
        """)
    let keys = results.compactMap { $0.object?.object.key }
    #expect(keys.map(\.description) == ["ConfigMap default/a", "ConfigMap team/a", "Namespace team"])
    #expect(Set(keys).count == 3)
}

@Suite struct CronScheduleTests {
    let utc = TimeZone(identifier: "UTC")!

    func at(_ text: String) -> Date { KubeTime.parse(text)! }

    func next(_ schedule: String, after: String, zone: String = "UTC") throws -> String? {
        try CronSchedule(parsing: schedule).next(after: at(after), timeZone: TimeZone(identifier: zone)!)
            .map { KubeTime($0).description }
    }

    @Test func nextActivations() throws {
        #expect(try next("*/1 * * * *", after: "2024-05-01T12:00:30Z") == "2024-05-01T12:01:00Z")
        #expect(try next("*/15 * * * *", after: "2024-05-01T12:00:00Z") == "2024-05-01T12:15:00Z")
        #expect(try next("0 3 * * *", after: "2024-05-01T04:00:00Z") == "2024-05-02T03:00:00Z")
        #expect(try next("30 8 1 * *", after: "2024-05-01T09:00:00Z") == "2024-06-01T08:30:00Z")
        #expect(try next("@hourly", after: "2024-12-31T23:59:59Z") == "2025-01-01T00:00:00Z")
        #expect(try next("0 0 29 2 *", after: "2024-03-01T00:00:00Z") == "2028-02-29T00:00:00Z")
        #expect(try next("0 0 30 2 *", after: "2024-03-01T00:00:00Z") == nil)
        // Sunday as 0, 7 and a name; 2024-05-05 is a Sunday.
        for dow in ["0", "7", "sun", "SUN"] {
            #expect(try next("0 12 * * \(dow)", after: "2024-05-01T00:00:00Z") == "2024-05-05T12:00:00Z")
        }
        // Both day fields restricted: either matches (the 10th, or the Sunday before it).
        #expect(try next("0 0 10 * 0", after: "2024-05-01T00:00:00Z") == "2024-05-05T00:00:00Z")
        // A stepped day-of-week is not a star: day-of-month * AND it.
        #expect(try next("0 0 * * 1-5/2", after: "2024-05-04T00:00:00Z") == "2024-05-06T00:00:00Z")
        #expect(try next("0 9 * jan-mar mon", after: "2024-05-01T00:00:00Z") == "2025-01-06T09:00:00Z")
        #expect(try next("@every 90s", after: "2024-05-01T00:00:00Z") == "2024-05-01T00:01:30Z")
    }

    @Test func timeZones() throws {
        // 09:00 in New York (EDT, UTC-4 in May).
        #expect(try next("0 9 * * *", after: "2024-05-01T00:00:00Z", zone: "America/New_York") == "2024-05-01T13:00:00Z")
    }

    @Test(arguments: ["* * *", "61 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "5-1 * * * *",
        "*/0 * * * *", "a * * * *", "1-2-3 * * * *", "@fortnightly", "@every", "@every 5x", ""])
    func refusesInvalid(schedule: String) {
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(parsing: schedule) }
        #expect(CronSchedule.problem(schedule) != nil)
    }
}
