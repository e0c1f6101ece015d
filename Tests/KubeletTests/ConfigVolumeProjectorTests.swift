import Foundation
import KubeAPI
import Testing

@testable import Kubelet

/// Which files a configMap, secret or projected volume shows, with which modes, and the
/// errors a pod's author sees.
@Suite struct ConfigVolumeProjectorTests {
    static let store = ConfigStore(
        configMaps: [
            ConfigMap(metadata: ObjectMeta(name: "web", namespace: "shop"), data: ["index.html": "hi", "app.conf": "port=80"])
        ],
        secrets: [
            Secret(metadata: ObjectMeta(name: "tls", namespace: "shop"), data: ["tls.key": Data("KEY".utf8), "tls.crt": Data("CRT".utf8)])
        ])

    func files(_ volume: Volume) throws -> [String: ConfigVolumeFile] {
        try ConfigVolumeProjector.files(for: volume, namespace: "shop", store: Self.store)
    }

    func error(_ volume: Volume) -> ConfigVolumeError? {
        do {
            _ = try files(volume)
            return nil
        } catch {
            return error as? ConfigVolumeError
        }
    }

    @Test func configMapShowsEveryKeyWithMode0644() throws {
        let files = try files(Volume(name: "www", configMap: ConfigMapVolumeSource(name: "web")))
        #expect(files == ["index.html": ConfigVolumeFile("hi", mode: 0o644), "app.conf": ConfigVolumeFile("port=80", mode: 0o644)])
    }

    @Test func secretUsesDefaultMode() throws {
        let volume = Volume(name: "certs", secret: SecretVolumeSource(secretName: "tls", defaultMode: 0o400))
        #expect(try files(volume) == ["tls.key": ConfigVolumeFile("KEY", mode: 0o400), "tls.crt": ConfigVolumeFile("CRT", mode: 0o400)])
        let plain = Volume(name: "certs", secret: SecretVolumeSource(secretName: "tls"))
        #expect(try files(plain)["tls.key"]?.mode == 0o644)
    }

    @Test func itemsChooseKeysPathsAndModes() throws {
        let volume = Volume(
            name: "certs",
            secret: SecretVolumeSource(
                secretName: "tls",
                items: [KeyToPath(key: "tls.key", path: "private/server.key", mode: 0o600)], defaultMode: 0o440))
        #expect(try files(volume) == ["private/server.key": ConfigVolumeFile("KEY", mode: 0o600)])
    }

    @Test func missingObjectNamesItUnlessOptional() throws {
        let configMap = Volume(name: "v", configMap: ConfigMapVolumeSource(name: "x"))
        #expect(error(configMap)?.description == "configmap \"x\" not found")
        #expect(error(configMap)?.isConfigError == true)
        let secret = Volume(name: "v", secret: SecretVolumeSource(secretName: "gone"))
        #expect(error(secret)?.description == "secret \"gone\" not found")
        let optional = Volume(name: "v", configMap: ConfigMapVolumeSource(name: "x", optional: true))
        #expect(try files(optional).isEmpty)
    }

    @Test func missingKeyIsAnErrorUnlessOptional() throws {
        let items = [KeyToPath(key: "nope", path: "nope"), KeyToPath(key: "index.html", path: "index.html")]
        let strict = Volume(name: "v", configMap: ConfigMapVolumeSource(name: "web", items: items))
        #expect(error(strict) == .keyNotFound(kind: "ConfigMap", name: "web", key: "nope"))
        #expect(error(strict)?.description == "configmap \"web\" references non-existent key \"nope\"")
        let optional = Volume(name: "v", configMap: ConfigMapVolumeSource(name: "web", items: items, optional: true))
        #expect(try files(optional) == ["index.html": ConfigVolumeFile("hi", mode: 0o644)])
    }

    @Test(arguments: ["../etc/passwd", "/etc/passwd", "a/../../b", "..hidden", "", "a//b", "./a", "a/"])
    func badPathsAreRejected(path: String) {
        let volume = Volume(name: "v", configMap: ConfigMapVolumeSource(name: "web", items: [KeyToPath(key: "index.html", path: path)]))
        guard case .invalidPath(let name, let badPath, _) = error(volume) else {
            Issue.record("path \(path) was accepted")
            return
        }
        #expect(name == "v")
        #expect(badPath == path)
    }

    @Test func fileCannotAlsoBeADirectory() {
        let items = [KeyToPath(key: "index.html", path: "site"), KeyToPath(key: "app.conf", path: "site/app.conf")]
        let volume = Volume(name: "v", configMap: ConfigMapVolumeSource(name: "web", items: items))
        #expect(error(volume)?.description == "volume \"v\": path \"site/app.conf\": its directory \"site\" is also a file of the volume")
    }

    @Test func modesOutsideRangeAreRejected() {
        let volume = Volume(name: "v", secret: SecretVolumeSource(secretName: "tls", defaultMode: 0o1777))
        #expect(error(volume) == .invalidMode(volume: "v", field: "secret.defaultMode", mode: 0o1777))
    }

    @Test func projectedMergesSourcesWithItsDefaultMode() throws {
        let volume = Volume(
            name: "all",
            projected: ProjectedVolumeSource(
                sources: [
                    VolumeProjection(configMap: ConfigMapProjection(name: "web", items: [KeyToPath(key: "app.conf", path: "conf/app.conf")])),
                    VolumeProjection(secret: SecretProjection(name: "tls", items: [KeyToPath(key: "tls.crt", path: "tls.crt", mode: 0o444)])),
                    VolumeProjection(secret: SecretProjection(name: "absent", optional: true)),
                ],
                defaultMode: 0o400))
        #expect(try files(volume) == ["conf/app.conf": ConfigVolumeFile("port=80", mode: 0o400), "tls.crt": ConfigVolumeFile("CRT", mode: 0o444)])
        #expect(ConfigVolumeProjector.needsTmpfs(volume))
        #expect(ConfigVolumeProjector.references(of: volume).map { "\($0.kind)/\($0.name)" } == ["ConfigMap/web", "Secret/tls", "Secret/absent"])
    }

    @Test func projectedDownwardAPIIsReportedUnsupported() {
        let volume = Volume(name: "info", projected: ProjectedVolumeSource(sources: [VolumeProjection(downwardAPI: DownwardAPIProjection())]))
        #expect(error(volume)?.description == "volume \"info\": projected.sources[0].downwardAPI is not supported")
    }

    @Test func onlySecretsAndProjectedLiveOnTmpfs() {
        #expect(ConfigVolumeProjector.needsTmpfs(Volume(name: "s", secret: SecretVolumeSource(secretName: "tls"))))
        #expect(!ConfigVolumeProjector.needsTmpfs(Volume(name: "c", configMap: ConfigMapVolumeSource(name: "web"))))
        #expect(!ConfigVolumeProjector.handles(Volume(name: "e", emptyDir: EmptyDirVolumeSource())))
    }
}
