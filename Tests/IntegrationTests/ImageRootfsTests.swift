import Foundation
import Runtime
@testable import Images
import Testing

/// Overlay rootfs mounts over imported images (root, in the private mount namespace).
@Suite(.enabled(if: isRoot)) struct ImageRootfsTests {
    private func isMountPoint(_ path: String) -> Bool {
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return mounts.split(separator: "\n").contains { $0.split(separator: " ").dropFirst(4).first.map(String.init) == path }
    }

    @Test func overlayOverTheTestImageKeepsLayersUntouched() throws {
        let root = ImageFixtures.temporaryDirectory("rootfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try ImageStore(root: root)
        try store.importImage(from: ImageFixtures.testLayout, name: "busybox")
        let image = try store.resolve("busybox")
        let container = root + "/containers/c1"
        let mount = RootfsMount(layers: image.layerDirectories, containerDirectory: container, target: container + "/rootfs")
        try mount.mount()
        var mounted = true
        defer { if mounted { try? mount.unmount() } }

        #expect(isMountPoint(mount.target))
        #expect(try String(contentsOfFile: mount.target + "/www/index.html", encoding: .utf8).contains("Hello from Swiftlet"))
        // The image's busybox runs from the rootfs.
        var out = Data()
        #expect(ImageFixtures.run("/usr/sbin/chroot", [mount.target, "/bin/sh", "-c", "echo hi from $(cat /etc/hostname 2>/dev/null || echo rootfs)"], output: &out) == 0)
        #expect(String(decoding: out, as: UTF8.self) == "hi from rootfs\n")

        // A write lands in upper only; a delete leaves a whiteout in upper, the layer intact.
        try Data("written".utf8).write(to: URL(fileURLWithPath: mount.target + "/tmp/new.txt"))
        try FileManager.default.removeItem(atPath: mount.target + "/www/index.html")
        let layer = image.layerDirectories[0]
        #expect(try String(contentsOfFile: mount.upperDirectory + "/tmp/new.txt", encoding: .utf8) == "written")
        #expect(!FileManager.default.fileExists(atPath: layer + "/tmp/new.txt"))
        #expect(FileManager.default.fileExists(atPath: layer + "/www/index.html"))
        #expect(!FileManager.default.fileExists(atPath: mount.target + "/www/index.html"))

        try mount.unmount()
        mounted = false
        #expect(!isMountPoint(mount.target))
        #expect(!FileManager.default.fileExists(atPath: mount.upperDirectory))
        #expect(!FileManager.default.fileExists(atPath: mount.workDirectory))
        #expect(FileManager.default.fileExists(atPath: layer + "/www/index.html"))
    }

    @Test func whiteoutLayerHidesLowerFiles() throws {
        let root = ImageFixtures.temporaryDirectory("rootfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var top = ImageTarBuilder()
        top.directory("www")
        top.add("www/.wh.index.html", mode: 0)
        top.directory("etc")
        top.add("etc/.wh..wh..opq", mode: 0)
        top.file("etc/only-this", "opaque")
        let layout = root + "/layout"
        try ImageFixtures.makeLayout(at: layout, layers: [try ImageFixtures.testImageLayerTar(), top.finished()],
                                     defaults: .init(cmd: ["sh"]))
        let store = try ImageStore(root: root)
        try store.importImage(from: layout, name: "localhost/whiteout:1")
        let image = try store.resolve("localhost/whiteout:1")
        #expect(image.layers.count == 2)
        let container = root + "/containers/c2"
        let mount = RootfsMount(layers: image.layerDirectories, containerDirectory: container, target: container + "/rootfs")
        try mount.mount()
        defer { try? mount.unmount() }
        #expect(!FileManager.default.fileExists(atPath: mount.target + "/www/index.html"))
        #expect(FileManager.default.fileExists(atPath: mount.target + "/www"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: mount.target + "/etc") == ["only-this"])
        #expect(FileManager.default.isExecutableFile(atPath: mount.target + "/bin/busybox"))
    }

    @Test func readOnlyRootfsRefusesWrites() throws {
        let root = ImageFixtures.temporaryDirectory("rootfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try ImageStore(root: root)
        try store.importImage(from: ImageFixtures.testLayout, name: "busybox")
        let container = root + "/containers/ro"
        let mount = RootfsMount(layers: try store.resolve("busybox").layerDirectories, containerDirectory: container,
                                target: container + "/rootfs", readOnly: true)
        try mount.mount()
        defer { try? mount.unmount() }
        #expect(FileManager.default.fileExists(atPath: mount.target + "/bin/busybox"))
        #expect(open(mount.target + "/tmp/x", O_WRONLY | O_CREAT, 0o644) == -1 && errno == EROFS)
    }

    @Test func imageWithMoreLayersThanOnePageOfMountOptions() throws {
        let root = ImageFixtures.temporaryDirectory("rootfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var layers: [Data] = []
        for i in 0..<60 {
            var tar = ImageTarBuilder()
            tar.file("layers/\(i)", "\(i)")
            tar.file("top", "layer \(i)")
            layers.append(tar.finished())
        }
        try ImageFixtures.makeLayout(at: root + "/layout", layers: layers, compression: .none)
        let store = try ImageStore(root: root)
        try store.importImage(from: root + "/layout", name: "many")
        let container = root + "/containers/many"
        let mount = RootfsMount(layers: try store.resolve("many").layerDirectories, containerDirectory: container,
                                target: container + "/rootfs")
        #expect(mount.options.utf8.count > 4096)
        try mount.mount()
        defer { try? mount.unmount() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: mount.target + "/layers").count == 60)
        // The top layer (the manifest's last) wins.
        #expect(try String(contentsOfFile: mount.target + "/top", encoding: .utf8) == "layer 59")
        try Data("w".utf8).write(to: URL(fileURLWithPath: mount.target + "/written"))
        #expect(FileManager.default.fileExists(atPath: mount.upperDirectory + "/written"))
    }

    @Test func unmountOfWhatIsNotMountedIsQuiet() throws {
        let root = ImageFixtures.temporaryDirectory("rootfs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/c/rootfs", withIntermediateDirectories: true)
        try RootfsMount(layers: ["/nonexistent"], containerDirectory: root + "/c", target: root + "/c/rootfs").unmount()
    }
}
