import Foundation

/// Which manifest file holds each object (`Kind/namespace/name`), kept under `--root` as
/// `manifest-owners.json` so the file that was seen first keeps its objects across agent
/// restarts, whatever the file names' sort order.
public struct ManifestOwnerRecord: Codable, Sendable, Equatable {
    /// The owning file's name by object key.
    public var owners: [String: String] = [:]
    /// When each file of the directory was first seen: its mtime then (seconds since 1970).
    /// Orders the files that declare a name nobody holds yet.
    public var firstSeen: [String: Double] = [:]

    public init(owners: [String: String] = [:], firstSeen: [String: Double] = [:]) {
        self.owners = owners
        self.firstSeen = firstSeen
    }

    /// The key an object is held under.
    public static func key(kind: String, namespace: String?, name: String?) -> String {
        "\(kind)/\(namespace ?? "default")/\(name ?? "")"
    }

    /// The record with `claims` (key, file) added where no owner is recorded: the pods an
    /// earlier agent left running keep the file they came from even without a record.
    public func filling(_ claims: [(key: String, file: String)]) -> ManifestOwnerRecord {
        var record = self
        for claim in claims where record.owners[claim.key] == nil { record.owners[claim.key] = claim.file }
        return record
    }
}

/// What one file of the manifest directory declares, for `ManifestOwnership.decide`.
public struct ManifestClaims: Sendable, Equatable {
    public var file: String
    /// The file's mtime, seconds since 1970.
    public var modified: Double
    /// The object keys the file declares; nil when what it declares is unknown (the file
    /// could not be read, or has an invalid document and is skipped whole).
    public var keys: [String]?

    public init(file: String, modified: Double, keys: [String]?) {
        self.file = file
        self.modified = modified
        self.keys = keys
    }
}

/// Decides who holds each object among the files that declare it: the first one seen keeps
/// it, as the kubelet keeps the pod it already runs and rejects the newcomer. Pure.
public enum ManifestOwnership {
    /// The next record, given the last one and every file of the directory:
    /// - a recorded owner keeps its key while its file is there and still declares it, or
    ///   cannot be read (a file broken for a moment does not hand its names to another);
    /// - a key nobody holds goes to the first declaring file by first appearance: the
    ///   recorded first sight, else the mtime, then the name;
    /// - files gone leave the record, so the next declaring file takes their keys over.
    public static func decide(record: ManifestOwnerRecord, files: [ManifestClaims]) -> ManifestOwnerRecord {
        var next = ManifestOwnerRecord()
        // nil inside: the file is there, but what it declares is unknown.
        var declared: [String: Set<String>?] = [:]
        for file in files {
            next.firstSeen[file.file] = record.firstSeen[file.file] ?? file.modified
            // `.some`: assigning a plain nil would drop the file from the map.
            declared[file.file] = .some(file.keys.map(Set.init))
        }
        for (key, owner) in record.owners {
            guard let keys = declared[owner] else { continue }
            if let keys, !keys.contains(key) { continue }
            next.owners[key] = owner
        }
        let ordered = files.sorted { (next.firstSeen[$0.file]!, $0.file) < (next.firstSeen[$1.file]!, $1.file) }
        for file in ordered {
            for key in file.keys ?? [] where next.owners[key] == nil { next.owners[key] = file.file }
        }
        return next
    }
}
