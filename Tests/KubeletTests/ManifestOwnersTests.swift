import Foundation
import KubeAPI
import Testing
@testable import Kubelet

/// Issue #19: among manifests declaring one object, the file seen first keeps it.
@Suite struct ManifestOwnersTests {
    static let p1 = "Pod/default/p1"

    func claims(_ file: String, at modified: Double, _ keys: [String]?) -> ManifestClaims {
        ManifestClaims(file: file, modified: modified, keys: keys)
    }

    @Test func withoutARecordTheOlderFileWinsThenTheName() {
        let newer = ManifestOwnership.decide(record: ManifestOwnerRecord(), files: [
            claims("b8-duplicate.yaml", at: 200, [Self.p1]), claims("p1.yaml", at: 100, [Self.p1]),
        ])
        #expect(newer.owners == [Self.p1: "p1.yaml"])
        #expect(newer.firstSeen == ["b8-duplicate.yaml": 200, "p1.yaml": 100])
        let older = ManifestOwnership.decide(record: ManifestOwnerRecord(), files: [
            claims("b8-duplicate.yaml", at: 50, [Self.p1]), claims("p1.yaml", at: 100, [Self.p1]),
        ])
        #expect(older.owners == [Self.p1: "b8-duplicate.yaml"])
        let tie = ManifestOwnership.decide(record: ManifestOwnerRecord(), files: [
            claims("p1.yaml", at: 100, [Self.p1]), claims("b8-duplicate.yaml", at: 100, [Self.p1]),
        ])
        #expect(tie.owners == [Self.p1: "b8-duplicate.yaml"])
    }

    @Test func theRecordedOwnerWinsWhateverTheMtimeAndName() {
        let record = ManifestOwnerRecord(owners: [Self.p1: "p1.yaml"], firstSeen: ["p1.yaml": 100])
        let next = ManifestOwnership.decide(record: record, files: [
            claims("a-duplicate.yaml", at: 1, [Self.p1]), claims("p1.yaml", at: 900, [Self.p1]),
        ])
        #expect(next.owners == [Self.p1: "p1.yaml"])
        // The first sight stays, though the file was edited since.
        #expect(next.firstSeen["p1.yaml"] == 100)
    }

    @Test func aDeletedOrChangedOwnerHandsTheNameToTheNextFile() {
        let record = ManifestOwnerRecord(owners: [Self.p1: "p1.yaml"], firstSeen: ["p1.yaml": 100, "b8-duplicate.yaml": 200])
        let deleted = ManifestOwnership.decide(record: record, files: [claims("b8-duplicate.yaml", at: 200, [Self.p1])])
        #expect(deleted.owners == [Self.p1: "b8-duplicate.yaml"])
        #expect(deleted.firstSeen == ["b8-duplicate.yaml": 200])
        let renamed = ManifestOwnership.decide(record: record, files: [
            claims("p1.yaml", at: 300, ["Pod/default/p2"]), claims("b8-duplicate.yaml", at: 200, [Self.p1]),
        ])
        #expect(renamed.owners == [Self.p1: "b8-duplicate.yaml", "Pod/default/p2": "p1.yaml"])
    }

    @Test func aBrokenOwnerKeepsItsNamesAndABrokenNewcomerTakesNone() {
        let record = ManifestOwnerRecord(owners: [Self.p1: "p1.yaml"], firstSeen: ["p1.yaml": 100])
        let broken = ManifestOwnership.decide(record: record, files: [
            claims("p1.yaml", at: 300, nil), claims("b8-duplicate.yaml", at: 200, [Self.p1]),
        ])
        #expect(broken.owners == [Self.p1: "p1.yaml"])
        let brokenNewcomer = ManifestOwnership.decide(record: ManifestOwnerRecord(), files: [claims("a.yaml", at: 1, nil)])
        #expect(brokenNewcomer.owners.isEmpty)
        #expect(brokenNewcomer.firstSeen == ["a.yaml": 1])
    }

    @Test func aNameNewToTwoFilesGoesToTheOneSeenFirstNotTheOneWrittenFirst() {
        // old.yaml was seen at 100 and edited at 500 to declare x; new.yaml appeared at 400.
        let record = ManifestOwnerRecord(owners: [:], firstSeen: ["old.yaml": 100])
        let next = ManifestOwnership.decide(record: record, files: [
            claims("new.yaml", at: 400, ["Pod/default/x"]), claims("old.yaml", at: 500, ["Pod/default/x"]),
        ])
        #expect(next.owners == ["Pod/default/x": "old.yaml"])
    }

    @Test func runningPodsFillOnlyNamesWithoutAnOwner() {
        let record = ManifestOwnerRecord(owners: ["Pod/default/a": "a.yaml"])
        let filled = record.filling([("Pod/default/a", "other.yaml"), ("Pod/default/b", "b.yaml")])
        #expect(filled.owners == ["Pod/default/a": "a.yaml", "Pod/default/b": "b.yaml"])
    }
}

/// The same through `ManifestSource` on a real directory and owner record.
@Suite struct ManifestSourceOwnerTests {
    static func pod(_ name: String, command: String) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name)}
        spec:
          containers:
          - {name: c, image: busybox, command: ["\(command)"]}
        """
    }

    static func deployment(_ name: String, replicas: Int) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: \(name)}
        spec:
          replicas: \(replicas)
          selector: {matchLabels: {app: \(name)}}
          template:
            metadata: {labels: {app: \(name)}}
            spec:
              containers:
              - {name: c, image: busybox, command: ["sleep"]}
        """
    }

    func write(_ dir: String, _ file: String, _ text: String, mtime: Int? = nil) throws {
        try text.write(toFile: dir + "/" + file, atomically: true, encoding: .utf8)
        if let mtime {
            var times = [timespec(tv_sec: mtime, tv_nsec: 0), timespec(tv_sec: mtime, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, dir + "/" + file, &times, 0) == 0)
        }
    }

    func commands(_ state: DesiredState) -> [String] {
        state.pods.flatMap { $0.spec.containers.flatMap { $0.command ?? [] } }
    }

    @Test func theFirstFileKeepsThePodAcrossARestartAndTheSecondTakesOverWhenItGoes() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let manifests = dir + "/manifests"
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        let ownersFile = dir + "/manifest-owners.json"
        try write(manifests, "p1.yaml", Self.pod("p1", command: "sleep"), mtime: 1000)
        let source = ManifestSource(path: manifests, nodeName: "node1", ownersFile: ownersFile)
        let first = source.read()
        #expect(commands(first) == ["sleep"])
        let uid = first.pods.first?.metadata.uid

        // The duplicate sorts first and, here, even carries an older mtime: the record decides.
        try write(manifests, "b8-duplicate.yaml", Self.pod("p1", command: "true"), mtime: 10)
        for reader in [source, ManifestSource(path: manifests, nodeName: "node1", ownersFile: ownersFile)] {
            let state = reader.read()
            #expect(state.pods.map(\.metadata.uid) == [uid])
            #expect(state.problems == ["b8-duplicate.yaml: Pod default/p1 is already defined in p1.yaml; ignored"])
            #expect(state.duplicates == [ManifestDuplicate(kind: "Pod", namespace: "default", name: "p1", owner: "p1.yaml", newcomer: "b8-duplicate.yaml")])
        }
        #expect(source.ownerRecord().owners == ["Pod/default/p1": "p1.yaml"])

        unlink(manifests + "/p1.yaml")
        let takenOver = source.read()
        #expect(commands(takenOver) == ["true"])
        #expect(takenOver.pods.first?.metadata.uid != uid)
        #expect(takenOver.problems.isEmpty)
        #expect(source.ownerRecord().owners == ["Pod/default/p1": "b8-duplicate.yaml"])
    }

    @Test func withoutARecordARunningPodKeepsItsFileElseTheOlderFileWins() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let manifests = dir + "/manifests"
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        try write(manifests, "p1.yaml", Self.pod("p1", command: "sleep"), mtime: 1000)
        let plain = ManifestSource(path: manifests, nodeName: "node1")
        // The pod an earlier agent ran from p1.yaml, as it left it on disk.
        let running = try #require(plain.read().pods.first)
        try write(manifests, "b8-duplicate.yaml", Self.pod("p1", command: "true"), mtime: 10)
        #expect(commands(plain.read()) == ["true"], "no record, nothing running: the older file")

        let source = ManifestSource(path: manifests, nodeName: "node1", ownersFile: dir + "/manifest-owners.json")
        source.recordOwners(of: [running])
        let state = source.read()
        #expect(state.pods.map(\.metadata.uid) == [running.metadata.uid])
        #expect(state.problems == ["b8-duplicate.yaml: Pod default/p1 is already defined in p1.yaml; ignored"])
    }

    @Test func everyKindKeepsTheFirstFilesObjectAndATwiceDeclaredNameInOneFileIsRefused() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(dir, "web.yaml", Self.deployment("web", replicas: 2), mtime: 1000)
        try write(dir, "b8-duplicate.yaml", Self.deployment("web", replicas: 5), mtime: 2000)
        try write(dir, "twice.yaml", Self.pod("t", command: "a") + "\n---\n" + Self.pod("t", command: "b"), mtime: 3000)
        let state = ManifestSource(path: dir, nodeName: "node1").read()
        let replicas = state.objects.compactMap { item -> Int? in
            if case .deployment(let deployment) = item.object { return deployment.spec.replicas } else { return nil }
        }
        #expect(replicas == [2])
        #expect(commands(state) == ["a"])
        #expect(state.problems == [
            "b8-duplicate.yaml: Deployment default/web is already defined in web.yaml; ignored",
            "twice.yaml: Pod default/t is already defined in twice.yaml; ignored",
        ])
    }
}
