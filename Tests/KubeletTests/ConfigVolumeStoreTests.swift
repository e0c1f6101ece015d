import Foundation
import KubeAPI
import Testing

@testable import Kubelet

/// The ConfigMaps and Secrets as the env builder and volumes see them, decoded from manifests.
@Suite struct ConfigVolumeStoreTests {
    static let manifests = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web-config}
        data:
          index.html: "<h1>hello</h1>"
          mode: production
        binaryData:
          logo.bin: AAEC/w==
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: db, namespace: shop}
        data:
          password: czNjcjN0
          user: YWRtaW4=
        stringData:
          user: root
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web-config, namespace: shop}
        data:
          mode: staging
        """

    static func store() throws -> ConfigStore {
        var objects: [KubeObject] = []
        for result in ManifestDecoder().decode(fileName: "config.yaml", text: manifests) {
            if let error = result.error { throw error }
            objects.append(result.object!.object)
        }
        return ConfigStore(objects: objects)
    }

    @Test func secretValuesAreDecodedAndStringDataWins() throws {
        let store = try Self.store()
        #expect(store.lookup(kind: "Secret", namespace: "shop", name: "db") == ["password": "s3cr3t", "user": "root"])
        #expect(store.bytes(kind: "Secret", namespace: "shop", name: "db")?["password"] == Array("s3cr3t".utf8))
    }

    @Test func configMapCarriesDataAndBinaryData() throws {
        let store = try Self.store()
        let bytes = try #require(store.bytes(kind: "ConfigMap", namespace: "default", name: "web-config"))
        #expect(bytes["logo.bin"] == [0x00, 0x01, 0x02, 0xFF])
        #expect(bytes["index.html"] == Array("<h1>hello</h1>".utf8))
        let text = try #require(store.data(kind: "ConfigMap", namespace: "default", name: "web-config"))
        #expect(text["mode"] == "production")
        #expect(text["logo.bin"] == "\u{0}\u{1}\u{2}\u{FFFD}")
    }

    @Test func sameNameInTwoNamespacesAreDistinct() throws {
        let store = try Self.store()
        #expect(store.data(kind: "ConfigMap", namespace: "shop", name: "web-config") == ["mode": "staging"])
        #expect(store.data(kind: "ConfigMap", namespace: "default", name: "web-config")?["mode"] == "production")
    }

    @Test func missingObjectsAndOtherKindsAreNil() throws {
        let store = try Self.store()
        #expect(store.data(kind: "Secret", namespace: "default", name: "db") == nil)
        #expect(store.data(kind: "ConfigMap", namespace: "shop", name: "absent") == nil)
        #expect(store.data(kind: "Pod", namespace: "shop", name: "db") == nil)
    }

    @Test func envLookupHasTheBuilderShape() throws {
        let lookup = try Self.store().envLookup
        #expect(lookup("Secret", "shop", "db", "user")?["user"] == "root")
        #expect(lookup("ConfigMap", "default", "nope", nil) == nil)
    }

    @Test func stringDataOverridesDataOnSecretsBuiltInCode() {
        let secret = Secret(
            metadata: ObjectMeta(name: "token"), data: ["token": Data("old".utf8), "other": Data([0x41])],
            stringData: ["token": "new"])
        let store = ConfigStore(secrets: [secret])
        #expect(store.data(kind: "Secret", namespace: "default", name: "token") == ["token": "new", "other": "A"])
    }
}
