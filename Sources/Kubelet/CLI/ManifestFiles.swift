import Foundation
import KubeAPI

/// `swiftlet apply -f` and `delete -f`: the watched directory is the API, so applying a file
/// is copying it there (atomically) and deleting is removing it.
public enum ManifestFiles {
    /// Copies `file` into `directory` under its own name; returns a line per object, as
    /// kubectl's: `pod/web created`, `configured` or `unchanged`, against the objects the
    /// file of that name held before.
    public static func apply(file: String, directory: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw KubeletError("error: the path \"\(file)\" does not exist")
        }
        let name = (file as NSString).lastPathComponent
        let results = ManifestDecoder().decode(fileName: name, bytes: data)
        if let error = results.compactMap(\.error).first { throw KubeletError("error: \(error)") }
        let target = directory + "/" + name
        let before = FileManager.default.contents(atPath: target).map { ManifestDecoder().decode(fileName: name, bytes: $0) } ?? []
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.write(data, to: target)
        let lines = applyLines(results.compactMap(\.object).map(\.object), before: before.compactMap(\.object).map(\.object))
        return lines.isEmpty ? name : lines.joined(separator: "\n")
    }

    /// `kind/name created|configured|unchanged` for each applied object, by its key among `before`.
    static func applyLines(_ objects: [KubeObject], before: [KubeObject]) -> [String] {
        let previous = Dictionary(before.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        return objects.map { object in
            let outcome = previous[object.key].map { $0 == object ? "unchanged" : "configured" } ?? "created"
            return "\(object.kind.lowercased())/\(object.name) \(outcome)"
        }
    }

    /// Removes the file of that name from `directory`; returns what was deleted.
    public static func delete(file: String, directory: String) throws -> String {
        let target = directory + "/" + (file as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: target) else {
            throw KubeletError("error: \(target) is not in the manifest directory")
        }
        try FileManager.default.removeItem(atPath: target)
        let names = ManifestDecoder(validate: false).decode(fileName: file, bytes: data).compactMap(\.object)
            .map { "\($0.object.kind.lowercased()) \"\($0.object.metadata.name ?? "")\" deleted" }
        return names.joined(separator: "\n")
    }

    /// Deletes a static pod by removing its manifest file, when the file holds only it.
    public static func deletePod(_ pod: Pod, directory: String) throws -> String {
        guard let source = pod.metadata.annotations?[StaticPods.sourceAnnotation],
              let data = FileManager.default.contents(atPath: source) else {
            throw KubeletError("error: pod \(pod.metadata.name ?? "") has no manifest file")
        }
        let objects = ManifestDecoder(validate: false).decode(fileName: source, bytes: data)
        guard objects.count == 1 else {
            throw KubeletError("error: pod \(pod.metadata.name ?? "") is defined in \(source) with other objects; edit that file")
        }
        try FileManager.default.removeItem(atPath: source)
        return "pod \"\(pod.metadata.name ?? "")\" deleted"
    }
}
