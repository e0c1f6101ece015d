import Foundation
import Testing

@testable import Kubelet

/// What a container reading a config volume sees as the kubelet rewrites it.
@Suite struct AtomicWriterTests {
    /// A fresh target directory, removed by the caller's `defer`.
    static func makeTarget() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-writer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    static func mode(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_mode & 0o7777) : nil
    }

    static func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    static let fixedClock: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_796_110_800.5) }

    @Test func versionDirectoryNameIsAUTCTimestamp() {
        // 2026-12-01T07:40:00.5Z
        #expect(AtomicWriter.versionDirectoryName(for: Date(timeIntervalSince1970: 1_796_110_800.5)) == "..2026_12_01_07_40_00.500000000")
    }

    @Test func writesTheKubeletLayout() throws {
        let target = try Self.makeTarget()
        defer { try? FileManager.default.removeItem(atPath: target) }
        let writer = AtomicWriter(targetDirectory: target, clock: Self.fixedClock)
        let changed = try writer.write([
            "index.html": ConfigVolumeFile("hello", mode: 0o644),
            "conf/app.conf": ConfigVolumeFile("port=80", mode: 0o600),
        ])
        #expect(changed)
        #expect(Self.entries(target) == ["..2026_12_01_07_40_00.500000000", "..data", "conf", "index.html"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target + "/..data") == "..2026_12_01_07_40_00.500000000")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target + "/index.html") == "..data/index.html")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target + "/conf") == "..data/conf")
        #expect(Self.read(target + "/index.html") == "hello")
        #expect(Self.read(target + "/conf/app.conf") == "port=80")
        #expect(Self.mode(target + "/index.html") == 0o644)
        #expect(Self.mode(target + "/conf/app.conf") == 0o600)
        #expect(Self.mode(target + "/conf") == 0o755)
    }

    @Test func modesAreExactNotCutByTheUmask() throws {
        let target = try Self.makeTarget()
        defer { try? FileManager.default.removeItem(atPath: target) }
        try AtomicWriter(targetDirectory: target).write([
            "a": ConfigVolumeFile("a", mode: 0o400), "b": ConfigVolumeFile("b", mode: 0o777), "d/c": ConfigVolumeFile("c", mode: 0o644),
        ])
        #expect(Self.mode(target + "/a") == 0o400)
        #expect(Self.mode(target + "/b") == 0o777)
        #expect(Self.mode(target + "/d/c") == 0o644)
        #expect(Self.mode(target + "/d") == 0o755)
        #expect(Self.mode(target + "/..data") == 0o755)
    }

    @Test func unchangedContentIsANoOp() throws {
        let target = try Self.makeTarget()
        defer { try? FileManager.default.removeItem(atPath: target) }
        let writer = AtomicWriter(targetDirectory: target)
        let payload = ["key": ConfigVolumeFile("value", mode: 0o644)]
        #expect(try writer.write(payload))
        let version = try FileManager.default.destinationOfSymbolicLink(atPath: target + "/..data")
        #expect(try !writer.write(payload))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target + "/..data") == version)
        // A mode change alone is a change.
        #expect(try writer.write(["key": ConfigVolumeFile("value", mode: 0o400)]))
        #expect(Self.mode(target + "/key") == 0o400)
    }

    @Test func removedKeysDisappearAndOldVersionsAreRemoved() throws {
        let target = try Self.makeTarget()
        defer { try? FileManager.default.removeItem(atPath: target) }
        // A fixed clock: the second version must still get its own directory.
        let writer = AtomicWriter(targetDirectory: target, clock: Self.fixedClock)
        try writer.write([
            "keep": ConfigVolumeFile("1", mode: 0o644), "drop": ConfigVolumeFile("1", mode: 0o644),
            "nested/deep/file": ConfigVolumeFile("1", mode: 0o644),
        ])
        try writer.write(["keep": ConfigVolumeFile("2", mode: 0o644), "nested/other": ConfigVolumeFile("2", mode: 0o644)])
        let entries = Self.entries(target)
        #expect(entries.count == 4)
        #expect(entries.first?.hasPrefix("..2026_12_01_07_40_00.5") == true)
        #expect(entries.first != "..2026_12_01_07_40_00.500000000")
        #expect(Array(entries.dropFirst()) == ["..data", "keep", "nested"])
        #expect(Self.read(target + "/keep") == "2")
        #expect(Self.read(target + "/drop") == nil)
        #expect(Self.entries(target + "/nested") == ["other"])
        try writer.write([:])
        #expect(Self.entries(target).filter { !$0.hasPrefix("..") }.isEmpty)
    }

    @Test func leftoversOfACrashedWriteAreCleanedUp() throws {
        let target = try Self.makeTarget()
        defer { try? FileManager.default.removeItem(atPath: target) }
        let stale = target + "/..2020_01_01_00_00_00.000000000"
        try FileManager.default.createDirectory(atPath: stale + "/half", withIntermediateDirectories: true)
        #expect(symlink("..2020_01_01_00_00_00.000000000", target + "/..data_tmp") == 0)
        try AtomicWriter(targetDirectory: target).write(["a": ConfigVolumeFile("a", mode: 0o644)])
        #expect(Self.entries(target).filter { $0.hasPrefix("..") }.count == 2)
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    @Test func userFilesAreNotOverwritten() throws {
        let target = try Self.makeTarget()
        defer { try? FileManager.default.removeItem(atPath: target) }
        #expect(FileManager.default.createFile(atPath: target + "/a", contents: Data("mine".utf8)))
        #expect(throws: ConfigVolumeError.self) {
            try AtomicWriter(targetDirectory: target).write(["a": ConfigVolumeFile("theirs", mode: 0o644)])
        }
        #expect(Self.read(target + "/a") == "mine")
    }

    @Test func invalidPathsAreRejectedBeforeWriting() throws {
        let target = try Self.makeTarget()
        defer { try? FileManager.default.removeItem(atPath: target) }
        #expect(throws: ConfigVolumeError.self) {
            try AtomicWriter(targetDirectory: target).write(["../escape": ConfigVolumeFile("x", mode: 0o644)])
        }
        #expect(Self.entries(target).isEmpty)
    }

    /// Versions of three files written while a reader keeps reading: every snapshot the
    /// reader takes through one resolution of `..data` holds a single version, and every
    /// file read through its user-visible path is whole.
    @Test func aReaderNeverSeesAMix() throws {
        let target = try Self.makeTarget()
        defer { try? FileManager.default.removeItem(atPath: target) }
        let writer = AtomicWriter(targetDirectory: target)
        func payload(_ version: Int) -> [String: ConfigVolumeFile] {
            // Sizes vary so a torn read could not pass for a whole file.
            let body = "v\(version)" + String(repeating: ".", count: version % 7 * 1000)
            return ["a": ConfigVolumeFile(body, mode: 0o644), "b": ConfigVolumeFile(body, mode: 0o644),
                    "dir/c": ConfigVolumeFile(body, mode: 0o644)]
        }
        try writer.write(payload(0))

        let state = ReaderState()
        let reader = Thread {
            while !state.stop {
                state.record(Self.snapshot(target))
                if let whole = Self.read(target + "/a") { state.recordWhole(Self.isWhole(whole)) }
            }
            state.finished.signal()
        }
        reader.start()
        for version in 1...100 { try writer.write(payload(version)) }
        // The reader must have read while versions were swapped under it.
        state.waitForReads(atLeast: 20)
        state.stop = true
        state.finished.wait()

        #expect(state.mixed == 0)
        #expect(state.torn == 0)
        #expect(state.consistent > 0)
        #expect(Self.read(target + "/dir/c")?.hasPrefix("v100") == true)
        #expect(Self.entries(target).filter { AtomicWriter.isVersionDirectoryName($0) }.count == 1)
    }

    /// Reads a, b and dir/c relative to one open of `..data`; nil when the version was
    /// removed mid-read (the reader would retry), else whether all three agree.
    static func snapshot(_ target: String) -> Bool? {
        let directory = open(target + "/..data", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return nil }
        defer { close(directory) }
        var contents: [String] = []
        for name in ["a", "b", "dir/c"] {
            let fd = openat(directory, name, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let count = Glibc.read(fd, &buffer, buffer.count)
                if count < 0 { return nil }
                if count == 0 { break }
                bytes += buffer[0..<count]
            }
            contents.append(String(decoding: bytes, as: UTF8.self))
        }
        return Set(contents).count == 1 && isWhole(contents[0])
    }

    static func isWhole(_ body: String) -> Bool {
        guard body.hasPrefix("v"), let version = Int(body.dropFirst().prefix { $0.isNumber }) else { return false }
        return body == "v\(version)" + String(repeating: ".", count: version % 7 * 1000)
    }
}

/// What the reader thread saw, shared with the test.
private final class ReaderState: @unchecked Sendable {
    private let lock = NSLock()
    private var _stop = false
    private(set) var consistent = 0
    private(set) var mixed = 0
    private(set) var torn = 0
    private var reads = 0
    let finished = DispatchSemaphore(value: 0)

    var stop: Bool {
        get { lock.withLock { _stop } }
        set { lock.withLock { _stop = newValue } }
    }

    func record(_ snapshot: Bool?) {
        lock.withLock {
            reads += 1
            switch snapshot {
            case true?: consistent += 1
            case false?: mixed += 1
            case nil: break
            }
        }
    }

    func recordWhole(_ whole: Bool) {
        lock.withLock { if !whole { torn += 1 } }
    }

    func waitForReads(atLeast count: Int) {
        while lock.withLock({ reads < count }) { usleep(1000) }
    }
}
