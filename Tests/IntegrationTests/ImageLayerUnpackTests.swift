import CArchive
import Foundation
import Runtime
@testable import Images
import Testing

/// Layer unpacking against the real filesystem: whiteouts, metadata, and crafted tars that
/// try to write outside the layer root.
@Suite(.enabled(if: isRoot)) struct ImageLayerUnpackTests {
    /// Unpacks `tar` (written as a file) into a fresh dir beside an `outside` dir.
    private func unpack(_ tar: Data, compression: ImageFixtures.Compression = .none) throws -> (base: String, layer: String, result: Result<Digest, Error>) {
        let base = ImageFixtures.temporaryDirectory("unpack")
        let layer = base + "/layer"
        try FileManager.default.createDirectory(atPath: layer, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
        let blob = base + "/blob"
        try ImageFixtures.compress(tar, compression).write(to: URL(fileURLWithPath: blob))
        let result = Result { try LayerUnpacker().unpack(blob: blob, into: layer, label: "test-layer") }
        return (base, layer, result)
    }

    private func lstatOf(_ path: String) -> stat? {
        var st = stat()
        return lstat(path, &st) == 0 ? st : nil
    }

    private func xattr(_ path: String, _ name: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = lgetxattr(path, name, &buffer, buffer.count)
        return n < 0 ? nil : String(decoding: buffer[0..<n], as: UTF8.self)
    }

    @Test func whiteoutsBecomeOverlayWhiteouts() throws {
        var tar = ImageTarBuilder()
        tar.directory("etc")
        tar.add("etc/.wh.motd", mode: 0)
        tar.directory("www")
        tar.add("www/.wh..wh..opq", mode: 0)
        tar.file("www/new.html", "new")
        tar.directory(".wh..wh.plnk")
        let (base, layer, result) = try unpack(tar.finished())
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = try result.get()
        let whiteout = try #require(lstatOf(layer + "/etc/motd"))
        #expect(whiteout.st_mode & S_IFMT == S_IFCHR)
        #expect(whiteout.st_rdev == 0)
        #expect(lstatOf(layer + "/etc/.wh.motd") == nil)
        #expect(xattr(layer + "/www", "trusted.overlay.opaque") == "y")
        #expect(lstatOf(layer + "/www/.wh..wh..opq") == nil)
        #expect(try String(contentsOfFile: layer + "/www/new.html", encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: layer).sorted() == ["etc", "www"])
    }

    @Test func metadataHardlinksDevicesAndDiffID() throws {
        var tar = ImageTarBuilder()
        tar.add("bin", .directory, mode: 0o711, uid: 0, gid: 0, mtime: 1234)
        tar.add("bin/tool", content: Data("#!/bin/sh\n".utf8), mode: 0o4755, uid: 1000, gid: 1001, mtime: 5678)
        tar.add("bin/tool-link", .hardlink, link: "bin/tool")
        tar.add("bin/sh", .symlink, uid: 1000, gid: 1000, link: "tool")
        tar.add("dev/null", .char, mode: 0o666, major: 1, minor: 3)
        tar.add("dev/loop9", .block, mode: 0o660, major: 7, minor: 9)
        tar.add("run/fifo", .fifo, mode: 0o600)
        tar.add("attrs", content: Data("x".utf8), xattrs: ["user.swiftlet": "yes"])
        let archive = tar.finished()
        let (base, layer, result) = try unpack(archive, compression: .zstd)
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(try result.get() == Digest.sha256(archive))

        let bin = try #require(lstatOf(layer + "/bin"))
        #expect(bin.st_mode & 0o7777 == 0o711)
        #expect(bin.st_mtim.tv_sec == 1234)
        let tool = try #require(lstatOf(layer + "/bin/tool"))
        #expect(tool.st_mode & 0o7777 == 0o4755)
        #expect(tool.st_uid == 1000 && tool.st_gid == 1001)
        #expect(tool.st_mtim.tv_sec == 5678)
        #expect(tool.st_nlink == 2)
        #expect(lstatOf(layer + "/bin/tool-link")?.st_ino == tool.st_ino)
        let sh = try #require(lstatOf(layer + "/bin/sh"))
        #expect(sh.st_mode & S_IFMT == S_IFLNK)
        #expect(sh.st_uid == 1000)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: layer + "/bin/sh") == "tool")
        let null = try #require(lstatOf(layer + "/dev/null"))
        #expect(null.st_mode & S_IFMT == S_IFCHR && null.st_rdev == car_makedev(1, 3))
        let loop = try #require(lstatOf(layer + "/dev/loop9"))
        #expect(loop.st_mode == S_IFBLK | 0o660 && loop.st_rdev == car_makedev(7, 9))
        #expect((lstatOf(layer + "/run/fifo")?.st_mode ?? 0) & S_IFMT == S_IFIFO)
        #expect(xattr(layer + "/attrs", "user.swiftlet") == "yes")
    }

    @Test func gzipLayerFromTheTestImage() throws {
        let archive = try ImageFixtures.testImageLayerTar()
        let (base, layer, result) = try unpack(archive, compression: .gzip)
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(try result.get() == Digest.sha256(archive))
        #expect(FileManager.default.isExecutableFile(atPath: layer + "/bin/busybox"))
        #expect((lstatOf(layer + "/tmp")?.st_mode ?? 0) & 0o7777 == 0o1777)
        #expect((lstatOf(layer + "/root")?.st_mode ?? 0) & 0o7777 == 0o700)
    }

    /// Each crafted archive must be refused with a message naming the entry, and leave
    /// nothing in the sibling `outside` dir or at the absolute paths it aims at.
    @Test(arguments: [
        ("dotdot", "../outside/escaped"),
        ("absolute symlink", "abs-link/escaped"),
        ("relative symlink climbing out", "up/outside/escaped"),
        ("hardlink out of the tree", "hard"),
        ("hardlink to a host file", "hosthard"),
        ("symlink chain", "chain/escaped"),
    ])
    func refusesEscapes(name: String, entry: String) throws {
        let base = ImageFixtures.temporaryDirectory("escape")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let outside = base + "/outside"
        var tar = ImageTarBuilder()
        switch name {
        case "dotdot":
            tar.file("../outside/escaped", "pwned")
        case "absolute symlink":
            tar.add("abs-link", .symlink, link: outside)
            tar.file("abs-link/escaped", "pwned")
        case "relative symlink climbing out":
            tar.add("up", .symlink, link: "..")
            tar.file("up/outside/escaped", "pwned")
        case "hardlink out of the tree":
            tar.add("hard", .hardlink, link: "../outside/secret")
        case "hardlink to a host file":
            tar.add("hosthard", .hardlink, link: outside + "/secret")
        default:
            tar.add("a", .symlink, link: "b")
            tar.add("b", .symlink, link: outside)
            tar.add("chain", .symlink, link: "a")
            tar.file("chain/escaped", "pwned")
        }
        let layer = base + "/layer"
        try FileManager.default.createDirectory(atPath: layer, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside + "/secret"))
        let blob = base + "/blob"
        try tar.finished().write(to: URL(fileURLWithPath: blob))
        do {
            try LayerUnpacker().unpack(blob: blob, into: layer, label: "evil")
            Issue.record("\(name): unpacked")
        } catch let error as ImageError {
            #expect(error.description.hasPrefix("layer evil: entry \"\(entry)\" refused"), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["secret"])
        #expect((lstatOf(outside + "/secret")?.st_nlink ?? 0) == 1)
        #expect(lstatOf(base + "/escaped") == nil)
    }

    @Test func absoluteNamesLandInsideTheLayer() throws {
        var tar = ImageTarBuilder()
        tar.file("/etc/absolute", "inside")
        tar.file("./a/../b", "cleaned")
        let (base, layer, result) = try unpack(tar.finished())
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = try result.get()
        #expect(try String(contentsOfFile: layer + "/etc/absolute", encoding: .utf8) == "inside")
        #expect(try String(contentsOfFile: layer + "/b", encoding: .utf8) == "cleaned")
    }

    @Test func relativeSymlinksInsideTheLayerAreFollowed() throws {
        var tar = ImageTarBuilder()
        tar.directory("usr/lib")
        tar.add("lib", .symlink, link: "usr/lib")
        tar.file("lib/libc.so", "libc")
        let (base, layer, result) = try unpack(tar.finished())
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = try result.get()
        #expect(try String(contentsOfFile: layer + "/usr/lib/libc.so", encoding: .utf8) == "libc")
    }

    @Test func laterEntriesReplaceEarlierOnes() throws {
        var tar = ImageTarBuilder()
        tar.directory("x")
        tar.file("x/inner", "1")
        tar.file("x", "now a file")
        tar.file("y", "first")
        tar.add("y", .symlink, link: "x")
        let (base, layer, result) = try unpack(tar.finished())
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = try result.get()
        #expect(try String(contentsOfFile: layer + "/x", encoding: .utf8) == "now a file")
        #expect((lstatOf(layer + "/y")?.st_mode ?? 0) & S_IFMT == S_IFLNK)
    }

    @Test func corruptArchiveIsAClearError() throws {
        let (base, _, result) = try unpack(Data("this is not a tar archive at all".utf8) + Data(count: 600))
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(throws: ImageError.self) { try result.get() }
        if case .failure(let error) = result { #expect("\(error)".contains("/blob")) }
    }
}
