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
    /// The objects a later file declared again, ignored in favour of the file holding them.
    public var duplicates: [ManifestDuplicate] = []

    public init() {}
}

/// An object declared by a second file (or twice in one), ignored: `owner` holds the name.
public struct ManifestDuplicate: Sendable, Equatable, Hashable {
    public var kind: String
    public var namespace: String
    public var name: String
    /// The file holding the object, and the file declaring it again (names, not paths).
    public var owner: String
    public var newcomer: String

    /// The error line: the newcomer's file first, then the file that holds the name.
    public var problem: String {
        "\(newcomer): \(kind) \(namespace)/\(name) is already defined in \(owner); ignored"
    }
}

/// Reads the manifest directory into the desired state. Pure but for the directory read
/// and the owner record (`ownersFile`), which says which file holds a name two declare.
public struct ManifestSource: Sendable {
    public let directory: ManifestDirectory
    public let nodeName: String
    /// Where the `ManifestOwnerRecord` is kept (`<root>/manifest-owners.json`); nil keeps
    /// none, so only mtimes and names decide.
    public let ownersFile: String?

    public init(path: String, nodeName: String, ownersFile: String? = nil) {
        self.directory = ManifestDirectory(path: path)
        self.nodeName = nodeName
        self.ownersFile = ownersFile
    }

    /// The owner record as last saved (empty when there is none).
    public func ownerRecord() -> ManifestOwnerRecord {
        ownersFile.flatMap { JSONFile.read(ManifestOwnerRecord.self, from: $0) } ?? ManifestOwnerRecord()
    }

    /// Saves the record atomically when it changed.
    func save(_ record: ManifestOwnerRecord, replacing previous: ManifestOwnerRecord) -> String? {
        guard let ownersFile, record != previous else { return nil }
        do {
            try JSONFile.write(record, to: ownersFile)
            return nil
        } catch {
            return "\(ownersFile): cannot save the manifest owners: \(error)"
        }
    }

    /// Records the files that pods left running by an earlier agent came from, where the
    /// record names no owner: a running pod keeps its name even without a record.
    public func recordOwners(of running: [Pod]) {
        let claims = running.compactMap { pod -> (key: String, file: String)? in
            guard let source = pod.metadata.annotations?[StaticPods.sourceAnnotation], !PodDeletion.isControllerOwned(pod),
                  FileManager.default.fileExists(atPath: source),
                  let name = StaticPods.manifestName(of: pod, nodeName: nodeName) else { return nil }
            let key = ManifestOwnerRecord.key(kind: "Pod", namespace: pod.metadata.namespace, name: name)
            return (key, (source as NSString).lastPathComponent)
        }
        let previous = ownerRecord()
        _ = save(previous.filling(claims), replacing: previous)
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
        // Every file decoded first: who holds a name depends on all the files declaring it.
        var decodedFiles: [(file: ManifestFile, objects: [KubeObject])] = []
        var claims: [ManifestClaims] = []
        let decoder = ManifestDecoder()
        for result in files {
            let file: ManifestFile
            switch result {
            case .failure(let error):
                state.problems.append(error.description)
                claims.append(ManifestClaims(file: error.name, modified: error.modified, keys: nil))
                continue
            case .success(let read):
                file = read
            }
            let items = decoder.decode(fileName: file.name, bytes: file.contents)
            // As the kubelet, a file with an invalid document is skipped whole: its good
            // documents must not start half of what the file describes.
            let invalid = items.contains { if case .failure = $0 { return true } else { return false } }
            var objects: [KubeObject] = []
            for item in items {
                if invalid, case .object = item { continue }
                switch item {
                case .failure(let error):
                    state.problems.append(error.description)
                case .unknownKind(let location, let apiVersion, let kind):
                    state.problems.append("\(location): unknown kind \(kind) (apiVersion \(apiVersion)); ignored")
                case .object(let decoded):
                    for warning in decoded.warnings { state.problems.append("\(decoded.location): warning: \(warning)") }
                    objects.append(decoded.object)
                }
            }
            decodedFiles.append((file, objects))
            claims.append(ManifestClaims(file: file.name, modified: file.modified, keys: invalid ? nil : objects.map(Self.key)))
        }
        let previous = ownerRecord()
        let record = ManifestOwnership.decide(record: previous, files: claims)
        if let problem = save(record, replacing: previous) { state.problems.append(problem) }
        var taken: Set<String> = []
        for (file, objects) in decodedFiles {
            for object in objects {
                let key = Self.key(object)
                let owner = record.owners[key] ?? file.name
                // The owner's first document of the name is the one; any other is refused.
                guard owner == file.name, taken.insert(key).inserted else {
                    let duplicate = ManifestDuplicate(
                        kind: object.kind, namespace: object.metadata.namespace ?? "default", name: object.metadata.name ?? "",
                        owner: owner, newcomer: file.name)
                    state.duplicates.append(duplicate)
                    state.problems.append(duplicate.problem)
                    continue
                }
                if case .pod(let pod) = object {
                    state.pods.append(StaticPods.prepare(pod, nodeName: nodeName, source: file.path))
                } else {
                    state.objects.append((file.path, object))
                }
            }
        }
        return state
    }

    static func key(_ object: KubeObject) -> String {
        ManifestOwnerRecord.key(kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name)
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

    /// The name the manifest gave a static pod (`<name>-<node>` without the node).
    public static func manifestName(of pod: Pod, nodeName: String) -> String? {
        let suffix = "-" + nodeName.lowercased()
        guard let name = pod.metadata.name, name.hasSuffix(suffix) else { return nil }
        return String(name.dropLast(suffix.count))
    }
}
