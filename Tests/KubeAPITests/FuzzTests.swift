import Foundation
import TestSupport
import Testing
@testable import KubeAPI

/// Deterministic mutation fuzzing of the decoder and the helpers that run on decoded
/// objects: nothing may trap, and every refusal is one line naming the file.
@Suite struct FuzzTests {
    static let tokens: [String] = [
        "-", ":", "[", "]", "{", "}", ",", "\"", "'", "&a", "*a", "<<: ", "!!binary", "|", ">", "#", "\n", "\t", "---\n",
        "null", "~", "-1", "0", "99999999999999999999", "1e308", ".nan", "yes", "\u{0}", "é", "💥", "%", "25%",
        "-9223372036854775808", "9223372036854775807", "1Ei", "-1Gi",
    ]

    /// Applies a few byte-level edits: flips, deletions, duplications and token insertions.
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...16, using: &rng)))
            case 2:
                let end = min(bytes.count, at + Int.random(in: 1...64, using: &rng))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            default: bytes.insert(contentsOf: Array(tokens.randomElement(using: &rng)!.utf8), at: at)
            }
        }
        return bytes
    }

    /// Exercises what consumers do with decoded objects.
    static func use(_ object: KubeObject) throws {
        _ = try KubeEncoder.json(object)
        _ = try KubeEncoder.yaml(object)
        _ = object.key
        switch object {
        case .pod(let pod):
            _ = QOSClass.of(pod)
            _ = StaticPod.prepare(pod, nodeName: "node", source: "fuzz")
            for container in pod.spec.allContainers {
                for probe in [container.livenessProbe, container.readinessProbe, container.startupProbe] {
                    if let port = probe?.httpGet?.port ?? probe?.tcpSocket?.port {
                        _ = pod.spec.resolvePort(container: container, port: port)
                    }
                }
                _ = EnvExpansion.resolve(container.env ?? [])
                for (_, quantity) in container.resources?.limits ?? [:] { _ = (quantity.value, quantity.milliValue) }
            }
        case .deployment(let deployment):
            _ = PodTemplateHash.of(deployment.spec.template, collisionCount: deployment.status?.collisionCount)
            let replicas = deployment.spec.replicas ?? 1
            _ = deployment.spec.strategy?.rollingUpdate?.maxSurge?.scaledValue(total: replicas, roundUp: true)
            _ = deployment.spec.strategy?.rollingUpdate?.maxUnavailable?.scaledValue(total: replicas, roundUp: false)
            _ = deployment.spec.selector?.matches(deployment.spec.template.metadata?.labels)
        default:
            break
        }
    }

    @Test func mutatedFixturesNeverTrap() throws {
        var rng = SplitMix64(seed: 20_261_201)
        let lenient = ManifestDecoder(applyDefaults: true, validate: false)
        var refused = 0
        var accepted = 0
        for url in try Fixtures.files(in: "good") {
            let original = try Fixtures.bytes(url)
            for _ in 0..<60 {
                let mutated = Self.mutate(original, &rng)
                for decoder in [ManifestDecoder(), lenient] {
                    for result in decoder.decode(fileName: "fuzz.yaml", bytes: mutated) {
                        if let object = result.object?.object {
                            accepted += 1
                            try Self.use(object)
                        } else {
                            refused += 1
                            #expect(result.description.hasPrefix("fuzz.yaml: "))
                            #expect(!result.description.contains("\n"))
                        }
                    }
                }
            }
        }
        // Both outcomes must be exercised for the run to mean anything.
        #expect(accepted > 50 && refused > 50)
    }

    @Test func extremeValuesInEveryNumericFieldNeverTrap() throws {
        let extremes: [ManifestValue] = [
            .int(Int.min), .int(Int.max), .int(-1), .int(0), .double(-1e300), .double(1e300), .string("9223372036854775807%"),
            .string("-9223372036854775808%"), .string("1Ei"), .string("-8Ei"), .string(""),
        ]
        let lenient = ManifestDecoder(applyDefaults: true, validate: false)
        var rng = SplitMix64(seed: 7)
        for url in try Fixtures.files(in: "good") {
            for result in ManifestDecoder().decode(fileName: "x", bytes: try Fixtures.bytes(url)) {
                guard let object = result.object?.object else { continue }
                let tree = try KubeEncoder.tree(object)
                for _ in 0..<15 {
                    let replaced = Self.replaceScalars(tree, with: extremes, &rng)
                    let text = String(decoding: replaced.jsonData, as: UTF8.self)
                    for decoder in [ManifestDecoder(), lenient] {
                        for again in decoder.decode(fileName: "x.json", text: text) {
                            if let decoded = again.object?.object { try Self.use(decoded) }
                        }
                    }
                }
            }
        }
    }

    static func replaceScalars(_ value: ManifestValue, with pool: [ManifestValue], _ rng: inout SplitMix64) -> ManifestValue {
        switch value {
        case .object(let pairs):
            return .object(pairs.map { key, child in
                if key == "apiVersion" || key == "kind" { return (key, child) }
                return (key, replaceScalars(child, with: pool, &rng))
            })
        case .array(let items):
            return .array(items.map { replaceScalars($0, with: pool, &rng) })
        case .int, .double, .string:
            return Int.random(in: 0..<3, using: &rng) == 0 ? pool.randomElement(using: &rng)! : value
        default:
            return value
        }
    }
}
