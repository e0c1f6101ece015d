import Foundation
import KubeAPI
import KubePrinting
import Kubelet
import Testing

/// The ObjectStore the agent publishes to and the CLI reads, and the printers over it.
struct ObjectStoreTests {
    static func tempRoot() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("objstore-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func decode(_ yaml: String) -> [KubeObject] {
        ManifestDecoder().decode(fileName: "t.yaml", bytes: Data(yaml.utf8)).compactMap(\.object).map(\.object)
    }

    @Test func objectsRoundTripAndStaleOnesGo() throws {
        let root = Self.tempRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ObjectStore(root: root)
        let objects = Self.decode("""
            apiVersion: v1
            kind: Secret
            metadata: {name: s, namespace: a}
            data: {k: \(Data([0, 255, 1]).base64EncodedString())}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c, namespace: b}
            data: {x: "1", y: "2"}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: a}
            """)
        #expect(objects.count == 3)
        for object in objects { try store.write(object) }
        #expect(store.list(kind: "Secret", namespace: nil) == [objects[0]])
        #expect(store.list(kind: "secrets", namespace: "b").isEmpty)
        #expect(store.get(kind: "ConfigMap", namespace: "b", name: "c") == objects[1])
        #expect(store.list(kind: "Namespace", namespace: nil).map(\.name) == ["a"])
        #expect(FileManager.default.fileExists(atPath: root + "/objects/configmaps/b/c.json"))
        try store.replaceAll(kind: "ConfigMap", objects: [])
        #expect(store.list(kind: "ConfigMap", namespace: nil).isEmpty)
        #expect(ObjectStore.plural("Endpoints") == "endpoints" && ObjectStore.plural("services") == "services")
        #expect(ObjectStore.plural("CronJob") == "cronjobs")
    }

    @Test func printersUseKubectlColumns() throws {
        let now = Date(timeIntervalSince1970: 1_000_000)
        var objects = Self.decode("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {a: "1", b: "2"}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              clusterIP: 10.96.0.10
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            """)
        for index in objects.indices { objects[index].metadata.creationTimestamp = KubeTime(now.addingTimeInterval(-90)) }
        #expect(ObjectPrinter.table(kind: "ConfigMap", [objects[0]], wide: false, withNamespace: false, now: now)
            == "NAME       DATA   AGE\nsettings   2      90s\n")
        #expect(ObjectPrinter.table(kind: "Service", [objects[1]], wide: true, withNamespace: false, now: now)
            == "NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE   SELECTOR\nweb    ClusterIP   10.96.0.10   <none>        80/TCP    90s   app=web\n")
    }
}
