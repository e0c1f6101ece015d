import Foundation
import Kubelet
import Testing

/// Config volumes on the real kernel: secrets on tmpfs with their modes, atomic updates,
/// and nothing left mounted after teardown. Runs inside scripts/in-private-ns.sh's mount
/// namespace, so the tmpfs never shows in the machine's own.
@Suite(.enabled(if: isRoot)) struct ConfigVolumeMountTests {
    static func makePodDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("configvol-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func mountTypes(at path: String) throws -> [String] {
        let table = procText("/proc/self/mountinfo")
        return table.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[4] == path, let dash = fields.firstIndex(of: "-") else { return nil }
            return String(fields[dash + 1])
        }
    }

    static func mode(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_mode & 0o7777) : nil
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func secretVolumeIsATmpfsWithItsModes() throws {
        let pod = try Self.makePodDirectory()
        defer { try? FileManager.default.removeItem(atPath: pod) }
        let volume = pod + "/volumes/kubernetes.io~secret/db"
        let mounter = ConfigVolumeMount()
        try mounter.setUp(
            volumeDirectory: volume,
            files: ["password": ConfigVolumeFile("s3cr3t", mode: 0o400), "user": ConfigVolumeFile("root", mode: 0o400)],
            onTmpfs: true)
        defer { try? mounter.tearDown(volumeDirectory: volume) }

        #expect(try Self.mountTypes(at: volume) == ["tmpfs"])
        #expect(ConfigVolumeMount.isTmpfsMount(volume))
        #expect(Self.mode(volume) == 0o755)
        #expect(Self.mode(volume + "/password") == 0o400)
        #expect(Self.read(volume + "/password") == "s3cr3t")

        // Setting up again (an agent restart) neither stacks a second tmpfs nor rewrites.
        try mounter.setUp(
            volumeDirectory: volume,
            files: ["password": ConfigVolumeFile("s3cr3t", mode: 0o400), "user": ConfigVolumeFile("root", mode: 0o400)],
            onTmpfs: true)
        #expect(try Self.mountTypes(at: volume) == ["tmpfs"])
    }

    @Test func updateSwapsTheWholeVolumeAtOnce() throws {
        let pod = try Self.makePodDirectory()
        defer { try? FileManager.default.removeItem(atPath: pod) }
        let volume = pod + "/volumes/kubernetes.io~secret/tls"
        let mounter = ConfigVolumeMount()
        try mounter.setUp(
            volumeDirectory: volume,
            files: ["tls.crt": ConfigVolumeFile("crt-1", mode: 0o400), "tls.key": ConfigVolumeFile("key-1", mode: 0o400)],
            onTmpfs: true)
        defer { try? mounter.tearDown(volumeDirectory: volume) }
        let before = try FileManager.default.destinationOfSymbolicLink(atPath: volume + "/..data")
        // A reader holding the old version keeps a consistent view until it re-resolves.
        let held = open(volume + "/..data", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        #expect(held >= 0)
        defer { close(held) }

        let changed = try mounter.update(volumeDirectory: volume, files: ["tls.crt": ConfigVolumeFile("crt-2", mode: 0o440)])
        #expect(changed)
        let after = try FileManager.default.destinationOfSymbolicLink(atPath: volume + "/..data")
        #expect(after != before)
        #expect(Self.read(volume + "/tls.crt") == "crt-2")
        #expect(Self.mode(volume + "/tls.crt") == 0o440)
        #expect(!FileManager.default.fileExists(atPath: volume + "/tls.key"))
        #expect(!FileManager.default.fileExists(atPath: volume + "/" + before))
        #expect(try Self.mountTypes(at: volume) == ["tmpfs"])
        #expect(try !mounter.update(volumeDirectory: volume, files: ["tls.crt": ConfigVolumeFile("crt-2", mode: 0o440)]))
    }

    @Test func teardownLeavesNothingMounted() throws {
        let pod = try Self.makePodDirectory()
        defer { try? FileManager.default.removeItem(atPath: pod) }
        let volume = pod + "/volumes/kubernetes.io~secret/gone"
        let mounter = ConfigVolumeMount()
        try mounter.setUp(volumeDirectory: volume, files: ["k": ConfigVolumeFile("v", mode: 0o400)], onTmpfs: true)
        // A process still holding a file keeps the mount busy; teardown must still finish.
        let busy = open(volume + "/k", O_RDONLY | O_CLOEXEC)
        #expect(busy >= 0)
        defer { close(busy) }
        try mounter.tearDown(volumeDirectory: volume)
        #expect(try Self.mountTypes(at: volume).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: volume))
        // Tearing down what is gone is fine.
        try mounter.tearDown(volumeDirectory: volume)
    }

    @Test func configMapVolumeStaysOnDisk() throws {
        let pod = try Self.makePodDirectory()
        defer { try? FileManager.default.removeItem(atPath: pod) }
        let volume = pod + "/volumes/kubernetes.io~configmap/web"
        let mounter = ConfigVolumeMount()
        try mounter.setUp(volumeDirectory: volume, files: ["index.html": ConfigVolumeFile("hi", mode: 0o644)], onTmpfs: false)
        defer { try? mounter.tearDown(volumeDirectory: volume) }
        #expect(try Self.mountTypes(at: volume).isEmpty)
        #expect(!ConfigVolumeMount.isTmpfsMount(volume))
        #expect(Self.read(volume + "/index.html") == "hi")
        #expect(Self.mode(volume + "/index.html") == 0o644)
    }
}
