import Foundation

/// Locates fixtures beside this file, so golden files can be rewritten in the source tree
/// with `SWIFTLET_UPDATE_GOLDEN=1`.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func files(in subdirectory: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(
            at: directory.appendingPathComponent(subdirectory), includingPropertiesForKeys: nil
        ).sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    /// Compares `actual` with the golden file, or rewrites it when asked.
    static func golden(_ name: String, _ actual: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["SWIFTLET_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
