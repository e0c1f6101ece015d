import Foundation
import KubeAPI
import Kubelet
import Testing
@testable import Images

/// Issue #8 §3: hostile input gets one clear line naming it, never a crash, and the node
/// keeps serving. The manifest corpus is KubeAPI's (Tests/KubeAPITests/Fixtures/bad, with
/// its golden messages); CNI and OCI configs are in scripts/reliability/corpus; broken image
/// layouts are made from the busybox test image.
@Suite(.enabled(if: isRoot && ProcessInfo.processInfo.environment["SWIFTLET_PRIVATE_NS"] == "1"))
struct ReliabilityBadInputTests {
    static let corpus = packageRoot + "/scripts/reliability/corpus"

    @Test func theWholeManifestCorpusBesideAGoodPodIsReportedFileByFile() throws {
        let node = try AgentHarness("badinput")
        defer { node.shutDown() }
        try node.start()
        try node.write("good.yaml", TestManifests.httpdPod("good"))
        #expect(node.wait { node.running("good") }, "\(node.agentLog)")
        let ip = try #require(node.pod("good")?.status?.podIP)
        #expect(node.curl("http://\(ip):8080/")?.contains("Hello from Swiftlet") == true)
        let containerID = node.status("good", "c")?.containerID

        let fixtures = packageRoot + "/Tests/KubeAPITests/Fixtures"
        let files = try FileManager.default.contentsOfDirectory(atPath: fixtures + "/bad").sorted()
        #expect(files.count >= 100)
        for file in files {
            try FileManager.default.copyItem(atPath: fixtures + "/bad/" + file, toPath: node.manifests + "/" + file)
        }
        // A second file defining the good pod again, whose name sorts first (the file seen
        // first keeps the pod, issue #19), and a file over the 10 MiB limit.
        try node.write("a-duplicate.yaml", TestManifests.pod("good", containers: TestManifests.container("other", command: TestManifests.sleepForever)))
        let huge = node.manifests + "/zz-huge.yaml"
        FileManager.default.createFile(atPath: huge, contents: Data(repeating: UInt8(ascii: "#"), count: ManifestDirectory.maxFileSize + 1))

        // Every golden line (file name, document, field, reason) shows up in the agent's log.
        // The agent words an unknown kind its own way ("unknown kind X ...; ignored").
        let golden = try String(contentsOfFile: fixtures + "/bad.golden", encoding: .utf8)
            .split(separator: "\n").map { line -> String in
                guard let range = line.range(of: ": no matches for kind \"") else { return String(line) }
                let kind = line[range.upperBound...].prefix { $0 != "\"" }
                return line[..<range.lowerBound] + ": unknown kind \(kind) ("
            }
        let extra = [
            "a-duplicate.yaml: Pod default/good is already defined in good.yaml; ignored",
            "zz-huge.yaml: file is 10485761 bytes, over the 10485760-byte limit",
        ]
        #expect(node.wait(60) { let log = node.agentLog; return (golden + extra).allSatisfy { log.contains($0) } })
        let log = node.agentLog
        let missing = (golden + extra).filter { !log.contains($0) }
        #expect(missing.isEmpty, "not in the agent log:\n\(missing.joined(separator: "\n"))")
        // Each file is named on an error line of the log.
        let errorLines = log.split(separator: "\n").filter { $0.contains("error") }
        for file in files + ["a-duplicate.yaml", "zz-huge.yaml"] {
            #expect(errorLines.contains { $0.contains(file + ": ") }, "\(file) has no error line")
        }
        Campaign.report("bad manifests: \(files.count + 2) files (\(golden.count + extra.count) problems) reported by name, good pod kept serving")

        // The good pod kept running and serving, untouched; nothing else started.
        #expect(node.running("good"))
        #expect(node.status("good", "c")?.containerID == containerID)
        #expect(node.status("good", "c")?.restartCount == 0)
        #expect(node.curl("http://\(ip):8080/")?.contains("Hello from Swiftlet") == true)
        #expect(node.pods().map { $0.metadata.name } == ["good-node1"])
        // Each problem is logged once, not on every re-list.
        #expect(log.components(separatedBy: golden[0]).count == 2, "repeated: \(golden[0])")
    }

    @Test func badCNIConfigsAndEnvironmentsGetOneClearErrorFromTheBridgePlugin() throws {
        let work = ImageFixtures.temporaryDirectory("cni-corpus")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let netns = work + "/netns"
        FileManager.default.createFile(atPath: netns, contents: nil)
        #expect(ImageFixtures.run("/usr/bin/unshare", ["--net=" + netns, "/bin/true"]) == 0)
        defer { umount2(netns, Int32(MNT_DETACH)) }
        let bridge = "swrel\(getpid() % 100000)"
        defer { _ = ImageFixtures.run("/usr/sbin/ip", ["link", "del", bridge]) }
        let binDir = URL(fileURLWithPath: builtBinary("swiftlet-bridge")).deletingLastPathComponent().path
        let env = [
            "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "reliability", "CNI_NETNS": netns, "CNI_IFNAME": "eth0",
            "CNI_PATH": binDir, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        ]
        func fill(_ text: Data) -> Data {
            guard let string = String(data: text, encoding: .utf8) else { return text }
            return Data(string.replacingOccurrences(of: "@BRIDGE@", with: bridge).replacingOccurrences(of: "@DATADIR@", with: work + "/ipam").utf8)
        }
        var cases: [(name: String, env: [String: String], config: Data)] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.corpus + "/cni").sorted() {
            cases.append((file, env, fill(try Data(contentsOf: URL(fileURLWithPath: Self.corpus + "/cni/" + file)))))
        }
        let good = fill(Data("""
            {"cniVersion": "1.0.0", "name": "relnet", "type": "swiftlet-bridge", "bridge": "@BRIDGE@",
             "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.99.0.0/24"}]], "dataDir": "@DATADIR@"}}
            """.utf8))
        let envCases: [(String, [String: String?])] = [
            ("no CNI_COMMAND", ["CNI_COMMAND": nil]),
            ("unknown CNI_COMMAND", ["CNI_COMMAND": "FROB"]),
            ("ADD without CNI_CONTAINERID", ["CNI_CONTAINERID": nil]),
            ("ADD without CNI_NETNS", ["CNI_NETNS": nil]),
            ("ADD with a missing CNI_NETNS", ["CNI_NETNS": "/nonexistent/netns"]),
            ("ADD with a CNI_NETNS that is no namespace", ["CNI_NETNS": "/etc/hostname"]),
            ("ADD without CNI_IFNAME", ["CNI_IFNAME": nil]),
            ("ADD with a 40-byte CNI_IFNAME", ["CNI_IFNAME": String(repeating: "e", count: 40)]),
            ("ADD with CNI_IFNAME ../x", ["CNI_IFNAME": "../x"]),
            ("ADD with CNI_IFNAME containing a NUL-free slash", ["CNI_IFNAME": "eth/0"]),
            ("CHECK before any ADD", ["CNI_COMMAND": "CHECK"]),
        ]
        for (name, changes) in envCases {
            var changed = env
            for (key, value) in changes { changed[key] = value }
            cases.append((name, changed, good))
        }
        for item in cases {
            let run = CapturedRun.run(builtBinary("swiftlet-bridge"), [], environment: item.env, input: item.config)
            #expect(!run.crashed && run.status != 0, "\(item.name): status \(run.status) signaled \(run.signaled)\n\(run.stdout)\n\(run.stderr)")
            // The CNI error result: one JSON object with a code and a one-line message.
            let object = (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) as? [String: Any]
            let message = object?["msg"] as? String ?? ""
            #expect(object?["code"] is Int && !message.isEmpty && !message.contains("\n"), "\(item.name): \(run.stdout)")
            #expect(run.stderrLines.count <= 1, "\(item.name): \(run.stderr)")
        }
        Campaign.report("bad CNI input: \(cases.count) configs/environments refused with one error, no crash")
        // Nothing was allocated or left in the namespace.
        let ipam = (try? FileManager.default.subpathsOfDirectory(atPath: work + "/ipam")) ?? []
        #expect(ipam.allSatisfy { !$0.contains("10.99.") }, "IPs left: \(ipam)")
        var links = Data()
        ImageFixtures.run("/usr/bin/nsenter", ["--net=" + netns, "/usr/sbin/ip", "-o", "link"], output: &links)
        #expect(String(decoding: links, as: UTF8.self).split(separator: "\n").count == 1, "\(String(decoding: links, as: UTF8.self))")
    }

    @Test func badOCIConfigsGetOneClearErrorFromTheRuntime() throws {
        let work = ImageFixtures.temporaryDirectory("oci-corpus")
        let cgroupParent = "/swiftlet-test-oci\(getpid() % 100000)"
        defer {
            AgentHarness.removeCgroupTree("/sys/fs/cgroup" + cgroupParent)
            for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
                AgentHarness.removeCgroupTree("/sys/fs/cgroup/\(hierarchy)\(cgroupParent)")
            }
            try? FileManager.default.removeItem(atPath: work)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus + "/oci").sorted()
        for (index, file) in files.enumerated() {
            let bundle = work + "/bundle\(index)"
            try FileManager.default.createDirectory(atPath: bundle + "/rootfs", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Self.corpus + "/oci/" + file, toPath: bundle + "/config.json")
            let id = "reliability-\(index)"
            let global = ["--root", work + "/state", "--cgroup-parent", cgroupParent]
            let run = CapturedRun.run(builtBinary("swiftlet-runtime"), global + ["run", "--bundle", bundle, id])
            _ = CapturedRun.run(builtBinary("swiftlet-runtime"), global + ["delete", "--force", id])
            #expect(!run.crashed && run.status != 0, "\(file): status \(run.status) signaled \(run.signaled)\n\(run.stderr)")
            #expect(run.stderrLines.count == 1 && !run.stderrLines[0].contains("Fatal error"), "\(file): \(run.stderr)")
        }
        Campaign.report("bad OCI config.json: \(files.count) refused with one line, no crash")
        let leftover = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup/memory" + cgroupParent)) ?? []
        #expect(leftover.filter { $0.hasPrefix("reliability-") }.isEmpty, "cgroups left: \(leftover)")
    }

    /// Broken copies of the busybox layout, each with what is wrong.
    static func brokenLayouts(in work: String) throws -> [(name: String, path: String)] {
        let source = ImageFixtures.testLayout
        var layouts: [(String, String)] = []
        func layout(_ name: String, _ mutate: (String, inout [String: Any], inout [String: Any]) throws -> Void) throws {
            let dir = work + "/" + name
            try FileManager.default.copyItem(atPath: source, toPath: dir)
            var index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/index.json"))) as! [String: Any]
            let descriptor = (index["manifests"] as! [[String: Any]])[0]
            let manifestPath = dir + "/blobs/sha256/" + (descriptor["digest"] as! String).dropFirst(7)
            var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as! [String: Any]
            try mutate(dir, &index, &manifest)
            // The (possibly changed) manifest is stored under its own digest and indexed.
            let manifestData = try JSONSerialization.data(withJSONObject: manifest)
            let hex = Digest.sha256(manifestData).hex
            try manifestData.write(to: URL(fileURLWithPath: dir + "/blobs/sha256/" + hex))
            if var entries = index["manifests"] as? [[String: Any]], !entries.isEmpty, entries[0]["digest"] as? String == descriptor["digest"] as? String {
                entries[0]["digest"] = "sha256:" + hex
                entries[0]["size"] = manifestData.count
                index["manifests"] = entries
            }
            try JSONSerialization.data(withJSONObject: index).write(to: URL(fileURLWithPath: dir + "/index.json"))
            layouts.append((name, dir))
        }
        func blob(_ dir: String, _ data: Data) throws -> (String, Int) {
            let hex = Digest.sha256(data).hex
            try data.write(to: URL(fileURLWithPath: dir + "/blobs/sha256/" + hex))
            return ("sha256:" + hex, data.count)
        }
        try layout("no-manifests") { _, index, _ in index["manifests"] = [] }
        try layout("manifest-blob-missing") { _, index, _ in
            index["manifests"] = [["mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + String(repeating: "ab", count: 32), "size": 10]]
        }
        try layout("digest-md5") { _, index, _ in
            index["manifests"] = [["mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "md5:d41d8cd98f00b204e9800998ecf8427e", "size": 10]]
        }
        try layout("digest-traversal") { _, index, _ in
            index["manifests"] = [["mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:../../../../etc/passwd", "size": 10]]
        }
        try layout("manifest-not-json") { dir, index, _ in
            let (digest, size) = try blob(dir, Data("this is no manifest\n".utf8))
            index["manifests"] = [["mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": size]]
        }
        try layout("manifest-deep-nesting") { dir, index, _ in
            let (digest, size) = try blob(dir, Data(("{\"schemaVersion\": 2, \"annotations\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}").utf8))
            index["manifests"] = [["mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": size]]
        }
        try layout("layer-blob-missing") { _, _, manifest in
            var layers = manifest["layers"] as! [[String: Any]]
            layers[0]["digest"] = "sha256:" + String(repeating: "cd", count: 32)
            manifest["layers"] = layers
        }
        try layout("layer-unknown-media-type") { _, _, manifest in
            var layers = manifest["layers"] as! [[String: Any]]
            layers[0]["mediaType"] = "application/x-not-a-layer"
            manifest["layers"] = layers
        }
        try layout("layer-not-gzip") { dir, _, manifest in
            var layers = manifest["layers"] as! [[String: Any]]
            let (digest, size) = try blob(dir, Data(repeating: 0x41, count: 4096))
            layers[0]["digest"] = digest
            layers[0]["size"] = size
            manifest["layers"] = layers
        }
        try layout("layer-size-wrong") { _, _, manifest in
            var layers = manifest["layers"] as! [[String: Any]]
            layers[0]["size"] = 1_000_000_000_000_000
            manifest["layers"] = layers
        }
        try layout("config-not-json") { dir, _, manifest in
            var config = manifest["config"] as! [String: Any]
            let (digest, size) = try blob(dir, Data([0xff, 0xfe, 0x00, 0x01]))
            config["digest"] = digest
            config["size"] = size
            manifest["config"] = config
        }
        try layout("blob-tampered") { dir, _, manifest in
            let config = manifest["config"] as! [String: Any]
            let path = dir + "/blobs/sha256/" + (config["digest"] as! String).dropFirst(7)
            var data = try Data(contentsOf: URL(fileURLWithPath: path))
            data[data.count / 2] ^= 0x20
            try FileManager.default.removeItem(atPath: path)
            try data.write(to: URL(fileURLWithPath: path))
        }
        try layout("no-layers") { _, _, manifest in manifest["layers"] = [] }
        try layout("index-not-json") { _, _, _ in }
        // Written after the helper, which rewrites index.json.
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: work + "/index-not-json/index.json"))
        layouts.append(("missing-directory", work + "/does-not-exist"))
        return layouts
    }

    @Test func brokenImageLayoutsGetOneClearErrorFromImagesImport() throws {
        let work = ImageFixtures.temporaryDirectory("image-corpus")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let layouts = try Self.brokenLayouts(in: work + "/layouts")
        for (name, path) in layouts {
            let run = CapturedRun.run(builtBinary("swiftlet"), ["images", "import", path, "--name", "broken-\(name)", "--root", work + "/root-" + name])
            let lines = (run.stdout + run.stderr).split(separator: "\n")
            #expect(!run.crashed && run.status != 0, "\(name): status \(run.status) signaled \(run.signaled)\n\(run.stdout)\(run.stderr)")
            #expect(lines.count == 1 && !lines[0].contains("Fatal error"), "\(name): \(run.stdout)\(run.stderr)")
        }
        for (name, _) in layouts {
            let list = CapturedRun.run(builtBinary("swiftlet"), ["images", "list", "--root", work + "/root-" + name])
            #expect(!list.stdout.contains("broken-"), "\(name): \(list.stdout)")
        }
        Campaign.report("bad image layouts: \(layouts.count) refused with one line, no crash")
    }
}
