import Foundation
import Testing
@testable import KubeAPI

@Suite struct EncoderTests {
    func fixtureObjects() throws -> [KubeObject] {
        try Fixtures.files(in: "good").flatMap { url in
            ManifestDecoder().decode(fileName: url.lastPathComponent, bytes: try Fixtures.bytes(url)).compactMap { $0.object?.object }
        }
    }

    @Test func jsonRoundTripKeepsEveryObject() throws {
        let objects = try fixtureObjects()
        #expect(objects.count >= 15)
        for object in objects {
            let json = try KubeEncoder.json(object)
            let again = ManifestDecoder().decode(fileName: "round.json", bytes: json)
            #expect(again.count == 1)
            #expect(again.first?.object?.object == object, "\(object.kind)/\(object.name)")
            #expect(again.first?.object?.warnings == [])
        }
    }

    @Test func yamlRoundTripKeepsEveryObject() throws {
        for object in try fixtureObjects() {
            let yaml = try KubeEncoder.yaml(object)
            let again = ManifestDecoder().decode(fileName: "round.yaml", text: yaml)
            #expect(again.first?.object?.object == object, "\(object.kind)/\(object.name):\n\(yaml)")
        }
    }

    @Test func jsonIsUpstreamShaped() throws {
        var pod = Pod(metadata: ObjectMeta(name: "web", namespace: "default"),
            spec: PodSpec(containers: [Container(name: "c", image: "busybox")]))
        pod.metadata.creationTimestamp = KubeTime(Date(timeIntervalSince1970: 0))
        let json = String(decoding: try KubeEncoder.json(pod), as: UTF8.self)
        #expect(json == #"{"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":"1970-01-01T00:00:00Z","name":"web","namespace":"default"},"spec":{"containers":[{"image":"busybox","name":"c"}]}}"#)
    }

    @Test func listsAreV1Lists() throws {
        let list = KubeList(items: [ConfigMap(metadata: ObjectMeta(name: "a"), data: ["k": "v"])])
        let pretty = try KubeEncoder.prettyJSON(list)
        #expect(pretty == """
            {
                "apiVersion": "v1",
                "items": [
                    {
                        "apiVersion": "v1",
                        "data": {
                            "k": "v"
                        },
                        "kind": "ConfigMap",
                        "metadata": {
                            "name": "a"
                        }
                    }
                ],
                "kind": "List",
                "metadata": {}
            }

            """)
    }

    @Test func yamlQuotesWhatWouldChangeType() throws {
        let map = ConfigMap(metadata: ObjectMeta(name: "a", labels: ["enabled": "true"]),
            data: ["port": "8080", "empty": "", "script": "echo a\necho b\n", "plain": "hello"])
        let yaml = try KubeEncoder.yaml(map)
        #expect(yaml == """
            apiVersion: v1
            data:
              empty: ""
              plain: hello
              port: "8080"
              script: |
                echo a
                echo b
            kind: ConfigMap
            metadata:
              labels:
                enabled: "true"
              name: a

            """)
    }

    @Test func secretsEncodeDataAsBase64AndDropStringData() throws {
        let results = ManifestDecoder().decode(fileName: "s.yaml", text: """
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            data: {a: YQ==, b: b2xk}
            stringData: {b: new, c: "see"}
            """)
        guard case .secret(let secret)? = results.first?.object?.object else {
            Issue.record("\(results)")
            return
        }
        #expect(secret.data == ["a": Data("a".utf8), "b": Data("new".utf8), "c": Data("see".utf8)])
        #expect(secret.stringData == nil)
        #expect(secret.type == "Opaque")
        let json = String(decoding: try KubeEncoder.json(secret), as: UTF8.self)
        #expect(json.contains(#""data":{"#) && json.contains(#""b":"bmV3""#) && !json.contains("stringData"))
    }
}
