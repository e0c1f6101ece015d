import Foundation
import Testing

/// Compares text with Golden/<name>; with SWIFTLET_UPDATE_GOLDEN=1 rewrites the file
/// in the source tree instead (then review the diff).
func expectGolden(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    if ProcessInfo.processInfo.environment["SWIFTLET_UPDATE_GOLDEN"] == "1" {
        try text.write(to: source, atomically: true, encoding: .utf8)
        return
    }
    let url = try #require(
        Bundle.module.url(forResource: "Golden/\(name)", withExtension: nil), sourceLocation: sourceLocation)
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(text == expected, sourceLocation: sourceLocation)
}
