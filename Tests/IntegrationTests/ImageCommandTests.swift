import Foundation
import Testing

/// `swiftlet images …` as a user runs it.
@Suite(.enabled(if: isRoot)) struct ImageCommandTests {
    private func swiftlet(_ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) { runSwiftlet(arguments) }

    @Test func importListRemovePrune() throws {
        let root = ImageFixtures.temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(atPath: root) }

        let imported = swiftlet(["images", "import", ImageFixtures.testLayout, "--name", "busybox", "--root", root])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("docker.io/library/busybox:latest sha256:"))
        #expect(imported.stderr.isEmpty)

        let list = swiftlet(["images", "list", "--root", root])
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("IMAGE"))
        #expect(lines[1].hasPrefix("docker.io/library/busybox:latest   sha256:"))
        #expect(lines[1].hasSuffix("MB"))

        let rm = swiftlet(["images", "rm", "busybox", "--root", root])
        #expect(rm.status == 0)
        #expect(rm.stdout == "Untagged: docker.io/library/busybox:latest\n")
        #expect(swiftlet(["images", "list", "--root", root]).stdout.split(separator: "\n").count == 1)

        let prune = swiftlet(["images", "prune", "--root", root])
        #expect(prune.status == 0)
        #expect(prune.stdout.split(separator: "\n").filter { $0.hasPrefix("Deleted blob: sha256:") }.count == 3)
        #expect(prune.stdout.contains("Deleted layer: sha256:"))
    }

    @Test(arguments: [
        (["images", "import", "/nonexistent-layout", "--name", "x"], "swiftlet: stat /nonexistent-layout: no such file or directory\n"),
        (["images", "import", "LAYOUT", "--name", "Bad"], "swiftlet: invalid reference \"Bad\": repository name must be lowercase\n"),
        (["images", "import", "LAYOUT"], "swiftlet: LAYOUT/index.json: names no image; give one with --name\n"),
        (["images", "rm", "ghost"], "swiftlet: image \"docker.io/library/ghost:latest\" not found\n"),
    ])
    func badInputIsOneLine(arguments: [String], message: String) throws {
        let root = ImageFixtures.temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let layout = ImageFixtures.testLayout
        let result = swiftlet(arguments.map { $0 == "LAYOUT" ? layout : $0 } + ["--root", root])
        #expect(result.status == 1)
        #expect(result.stderr == message.replacingOccurrences(of: "LAYOUT", with: layout))
    }
}
