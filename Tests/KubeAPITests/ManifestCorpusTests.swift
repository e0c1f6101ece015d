import Foundation
import Testing
@testable import KubeAPI

@Suite struct ManifestCorpusTests {
    let decoder = ManifestDecoder()

    @Test func everyGoodFixtureDecodesCleanly() throws {
        var kinds = Set<String>()
        for url in try Fixtures.files(in: "good") {
            let results = decoder.decode(fileName: url.lastPathComponent, bytes: try Fixtures.bytes(url))
            #expect(!results.isEmpty, "\(url.lastPathComponent) yielded nothing")
            for result in results {
                guard let decoded = result.object else {
                    Issue.record("\(result)")
                    continue
                }
                #expect(decoded.warnings.isEmpty, "\(result): \(decoded.warnings)")
                kinds.insert(decoded.object.kind)
            }
        }
        #expect(kinds == Set(KubeObject.supportedKinds.map(\.kind)))
    }

    @Test func everyBadFixtureIsRefusedWithItsFileName() throws {
        let files = try Fixtures.files(in: "bad")
        #expect(files.count >= 100)
        for url in files {
            let name = url.lastPathComponent
            let results = decoder.decode(fileName: name, bytes: try Fixtures.bytes(url))
            let problems = results.filter { $0.object == nil }
            #expect(!problems.isEmpty, "\(name) was accepted: \(results)")
            for problem in problems {
                let line = problem.description
                #expect(line.hasPrefix("\(name): "), "\(line)")
                #expect(!line.contains("\n"), "\(line)")
            }
        }
    }

    @Test func badFixtureMessagesMatchGolden() throws {
        var lines: [String] = []
        for url in try Fixtures.files(in: "bad") {
            let results = decoder.decode(fileName: url.lastPathComponent, bytes: try Fixtures.bytes(url))
            lines += results.filter { $0.object == nil }.map(\.description)
        }
        let actual = lines.joined(separator: "\n") + "\n"
        let golden = try Fixtures.golden("bad.golden", actual)
        let expected = golden.split(separator: "\n", omittingEmptySubsequences: false)
        let got = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in got.enumerated() where index >= expected.count || expected[index] != line {
            Issue.record("line \(index + 1) differs:\n  got:      \(line)\n  expected: \(index < expected.count ? expected[index] : "<none>")")
            break
        }
        #expect(got.count == expected.count)
    }

    @Test func oversizedFileIsRefusedWhole() {
        let big = [UInt8](repeating: UInt8(ascii: "#"), count: ManifestDecoder.maxFileSize + 1)
        let results = decoder.decode(fileName: "big.yaml", bytes: big)
        #expect(results.map(\.description) == [
            "big.yaml: file is 10485761 bytes, larger than the limit of 10485760 bytes"
        ])
    }

    @Test func aFileJustUnderTheLimitIsRead() {
        // Twelve ConfigMaps just under their own 1 MiB limit make a file just under 10 MiB.
        var text = ""
        for index in 0..<12 {
            text += "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: big-\(index)}\ndata:\n  blob: \""
            text += String(repeating: "x", count: 870_000) + "\"\n"
        }
        #expect(text.utf8.count < ManifestDecoder.maxFileSize)
        let results = decoder.decode(fileName: "big.yaml", text: text)
        #expect(results.count == 12)
        #expect(results.allSatisfy { $0.object != nil })
    }

    @Test func deepNestingInsideALegalFileIsRefusedNotCrashed() {
        // 100 000 levels would overflow a recursive parser's stack.
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + String(repeating: "{a: ", count: 100_000)
        let results = decoder.decode(fileName: "deep.yaml", text: text)
        #expect(results.map(\.description) == ["deep.yaml: document 1: nesting deeper than 100 levels"])
    }

    @Test func anchorsAndMergeKeysWork() {
        let results = decoder.decode(fileName: "a.yaml", text: """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers:
              - &base
                name: a
                image: busybox:1.36
                env: [{name: MODE, value: a}]
              - <<: *base
                name: b
            """)
        guard case .pod(let pod)? = results.first?.object?.object else {
            Issue.record("\(results)")
            return
        }
        #expect(pod.spec.containers.map(\.name) == ["a", "b"])
        #expect(pod.spec.containers[1].image == "busybox:1.36")
        #expect(pod.spec.containers[1].env == [EnvVar(name: "MODE", value: "a")])
    }

    @Test func aliasesCannotNestPastTheDepthLimit() {
        var text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: &x " + String(repeating: "[", count: 60)
            + String(repeating: "]", count: 60) + "\n"
        text += "y: " + String(repeating: "[", count: 60) + "*x" + String(repeating: "]", count: 60) + "\n"
        let results = decoder.decode(fileName: "a.yaml", text: text)
        let line = results.map(\.description).joined()
        #expect(results.count == 1)
        #expect(line.hasPrefix("a.yaml: document 1: y[0][0]"))
        #expect(line.hasSuffix("...: nesting deeper than 100 levels") && line.count < 140)
    }

    @Test func unknownFieldsAreWarnings() {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, colour: blue}
            spec:
              affinity: {}
              containers:
              - name: c
                image: busybox
                imagePolicy: Always
            """
        let decoded = decoder.decode(fileName: "p.yaml", text: yaml).first?.object
        #expect(decoded?.warnings == [
            "unknown field \"metadata.colour\"", "unknown field \"spec.affinity\"",
            "unknown field \"spec.containers[0].imagePolicy\"",
        ])
    }

    @Test func listItemsAreLocated() {
        let results = decoder.decode(fileName: "l.yaml", text: """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
            - {apiVersion: v1, kind: ConfigMap, metadata: {name: B}}
            """)
        #expect(results.count == 2)
        #expect(results[0].object?.location == ManifestLocation(fileName: "l.yaml", document: 1, item: 0))
        #expect(results[1].error?.description.hasPrefix("l.yaml: document 1 item 1 (ConfigMap/B): metadata.name: Invalid value: \"B\"") == true)
    }

    @Test func emptyDocumentsAreSkippedAndCounted() {
        let results = decoder.decode(fileName: "m.yaml", text: "---\n# nothing\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n")
        #expect(results.map(\.description) == ["m.yaml: document 2 (Namespace/a)"])
    }

    @Test func withoutValidationInvalidObjectsPass() {
        let lenient = ManifestDecoder(applyDefaults: false, validate: false)
        let results = lenient.decode(fileName: "p.yaml", text: "apiVersion: v1\nkind: Pod\nmetadata: {name: Web}\nspec:\n  containers: []\n")
        guard case .pod(let pod)? = results.first?.object?.object else {
            Issue.record("\(results)")
            return
        }
        #expect(pod.spec.restartPolicy == nil)
        #expect(pod.metadata.namespace == nil)
    }
}

@Suite struct YAMLEventScannerTests {
    func check(_ text: String) -> YAMLEventScanner.Refusal.Reason? {
        YAMLEventScanner.check(Array(text.utf8), depthLimit: 100)?.reason
    }

    @Test func ordinaryContentIsNotMistakenForNesting() {
        // Brackets and quotes inside plain scalars, 150 of them.
        #expect(check(String(repeating: "msg: see [1 and {2 it's \"odd\n", count: 150)) == nil)
        // A block scalar holding deeply indented text.
        var block = "script: |\n"
        for level in 0..<150 { block += String(repeating: " ", count: 2 + level) + "x\n" }
        #expect(check(block + "after: 1\n") == nil)
        // Pretty JSON nesting 50 deep.
        var json = ""
        for level in 0..<50 { json += String(repeating: " ", count: level * 4) + "{\"k\":\n" }
        #expect(check(json + "1" + String(repeating: "}", count: 50)) == nil)
        // Many sibling flow collections close as they go.
        #expect(check(String(repeating: "- [a, {b: [c]}]\n", count: 500)) == nil)
        // Anchored keys, aliases as values and merge keys.
        #expect(check("base: &b {x: 1}\n&k key: *b\nmerged: {<<: *b, y: 2}\n") == nil)
    }

    @Test func realNestingIsCaught() {
        #expect(check(String(repeating: "[", count: 101)) == .tooDeep)
        #expect(check("k: " + String(repeating: "{a: ", count: 101)) == .tooDeep)
        #expect(check(String(repeating: "- ", count: 101) + "x\n") == .tooDeep)
        var block = ""
        for level in 0..<101 { block += String(repeating: " ", count: level) + "k\(level):\n" }
        #expect(check(block) == .tooDeep)
        #expect(check("a: \"[[[\"\nb: " + String(repeating: "[", count: 101)) == .tooDeep)
    }

    @Test func keysThatAreAliasesOrCollectionsAreRefused() {
        #expect(check("a: &a x\nm: {*a : 1}\n") == .complexKey(line: 2))
        #expect(check("? [a, b]\n: value\n") == .complexKey(line: 1))
        #expect(check("- {[a]: b}\n") == .complexKey(line: 1))
        #expect(check("x: 1\ny:\n  ? {a: b}\n  : c\n") == .complexKey(line: 3))
    }

    /// An alias bomb (10^7 nodes) used as a mapping key: comparing keys for duplicates would
    /// walk it whole. Found by scripts/fuzz.sh as a timeout.
    @Test func anAliasBombAsAKeyIsRefusedAtOnce() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for (name, previous) in zip("bcdefg", "abcdef") {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        text += "h: [*g, {*g : \"1.0.0\"}]\n"
        let results = ManifestDecoder().decode(fileName: "bomb.yaml", bytes: Array(text.utf8))
        #expect(results.map(\.description) == ["bomb.yaml: document 1: line 8: a mapping key must be a plain value, not an alias or a collection"])
    }

    @Test func documentsBeforeARefusedOneAreDecoded() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad}\ndata: {[a]: b}\n"
        let results = ManifestDecoder().decode(fileName: "two.yaml", bytes: Array(text.utf8))
        #expect(results.count == 2 && results[0].object != nil)
        #expect(results.last?.description == "two.yaml: document 2: line 8: a mapping key must be a plain value, not an alias or a collection")
    }
}
