import Foundation
import KubeAPI

/// The desired state read from the manifest directory: every object by file, and one
/// error line per problem (a bad file, a bad document, an unknown kind, a name used twice).
public struct DesiredState: Sendable {
    /// Static pods, prepared (named `<name>-<node>`, uid from source and content).
    public var pods: [Pod] = []
    /// Every other decoded object, with the file it came from.
    public var objects: [(file: String, object: KubeObject)] = []
    /// One line per problem, naming the file.
    public var problems: [String] = []

    public init() {}
}

/// Reads the manifest directory into the desired state. Pure but for the directory read.
public struct ManifestSource: Sendable {
    public let directory: ManifestDirectory
    public let nodeName: String

    public init(path: String, nodeName: String) {
        self.directory = ManifestDirectory(path: path)
        self.nodeName = nodeName
    }

    public func read() -> DesiredState {
        var state = DesiredState()
        let files: [Result<ManifestFile, ManifestFileError>]
        do {
            files = try directory.read()
        } catch {
            state.problems.append("\(directory.path): \(error.localizedDescription)")
            return state
        }
        // (kind, namespace, name) → the file that declared it first.
        var owners: [String: String] = [:]
        let decoder = ManifestDecoder()
        for result in files {
            let file: ManifestFile
            switch result {
            case .failure(let error):
                state.problems.append(error.description)
                continue
            case .success(let read):
                file = read
            }
            for item in decoder.decode(fileName: file.name, bytes: file.contents) {
                switch item {
                case .failure(let error):
                    state.problems.append(error.description)
                case .unknownKind(let location, let apiVersion, let kind):
                    state.problems.append("\(location): unknown kind \(kind) (apiVersion \(apiVersion)); ignored")
                case .object(let decoded):
                    for warning in decoded.warnings { state.problems.append("\(decoded.location): warning: \(warning)") }
                    let object = decoded.object
                    let key = "\(object.kind)/\(object.metadata.namespace ?? "default")/\(object.metadata.name ?? "")"
                    if let first = owners[key] {
                        state.problems.append("\(file.name): \(object.kind) \(object.metadata.namespace ?? "default")/\(object.metadata.name ?? "") is already defined in \(first); ignored")
                        continue
                    }
                    owners[key] = file.name
                    if case .pod(let pod) = object {
                        state.pods.append(StaticPods.prepare(pod, nodeName: nodeName, source: file.path))
                    } else {
                        state.objects.append((file.path, object))
                    }
                }
            }
        }
        return state
    }
}

/// Static pods as the kubelet names them: `<name>-<nodeName>` in `default` unless set, with
/// a uid that changes whenever the file or the pod's content does, so an edit replaces the pod.
public enum StaticPods {
    /// The manifest file a static pod came from.
    public static let sourceAnnotation = "swiftlet.io/manifest-file"

    public static func prepare(_ pod: Pod, nodeName: String, source: String) -> Pod {
        var pod = pod
        pod.metadata.namespace = pod.metadata.namespace ?? "default"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let content = (try? encoder.encode(pod)) ?? Data()
        let hash = StableHash.hex(Array(source.utf8) + [0] + Array(nodeName.utf8) + [0] + Array(content))
        pod.metadata.name = "\(pod.metadata.name ?? "")-\(nodeName)"
        pod.metadata.uid = hash
        pod.spec.nodeName = nodeName
        var annotations = pod.metadata.annotations ?? [:]
        annotations["kubernetes.io/config.source"] = "file"
        annotations["kubernetes.io/config.hash"] = hash
        annotations["kubernetes.io/config.mirror"] = hash
        annotations[sourceAnnotation] = source
        pod.metadata.annotations = annotations
        return pod
    }
}

/// A stable 128-bit content hash (two FNV-1a 64 lanes) as 32 hex digits.
public enum StableHash {
    public static func hex(_ bytes: [UInt8]) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01b3
        }
        return String(format: "%016llx%016llx", a, b)
    }
}
