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
            let items = decoder.decode(fileName: file.name, bytes: file.contents)
            // As the kubelet, a file with an invalid document is skipped whole: its good
            // documents must not start half of what the file describes.
            let invalid = items.contains { if case .failure = $0 { return true } else { return false } }
            for item in items {
                if invalid, case .object = item { continue }
                switch item {
                case .failure(let error):
                    state.problems.append(error.description)
                case .unknownKind(let location, let apiVersion, let kind):
                    state.problems.append("\(location): unknown kind \(kind) (apiVersion \(apiVersion)); ignored")
                case .object(let decoded):
                    for warning in decoded.warnings { state.problems.append("\(decoded.location): warning: \(warning)") }
                    let object = decoded.object
                    let key = "\(object.kind)/\(object.metadata.namespaceOrDefault)/\(object.metadata.name ?? "")"
                    if let first = owners[key] {
                        state.problems.append("\(file.name): \(object.kind) \(object.metadata.namespaceOrDefault)/\(object.metadata.name ?? "") is already defined in \(first); ignored")
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

/// Where a static pod came from, for `swiftlet delete pod`.
public enum StaticPods {
    /// The manifest file a static pod came from.
    public static let sourceAnnotation = "swiftlet.io/manifest-file"

    /// The kubelet's static pod (`StaticPod.prepare`), marked with its manifest file.
    public static func prepare(_ pod: Pod, nodeName: String, source: String) -> Pod {
        var pod = StaticPod.prepare(pod, nodeName: nodeName, source: source)
        pod.metadata.annotations?[sourceAnnotation] = source
        return pod
    }
}
