/// A path inside a layer or archive, cleaned lexically: `./a//b/../c` is `a/c`; a path
/// whose `..` climbs above the root is refused, as is a name that is not UTF-8 or holds NUL.
struct LayerPath: Hashable, CustomStringConvertible {
    let components: [String]

    init(components: [String]) {
        self.components = components
    }

    /// nil when `raw` escapes the root.
    init?(cleaning raw: String) {
        var parts: [String] = []
        for part in raw.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if parts.isEmpty { return nil }
                parts.removeLast()
            default: parts.append(String(part))
            }
        }
        components = parts
    }

    var isRoot: Bool { components.isEmpty }
    var name: String { components.last ?? "." }
    var parent: LayerPath { LayerPath(components: Array(components.dropLast())) }
    /// Relative to the layer root; "." for the root itself.
    var relative: String { components.isEmpty ? "." : components.joined(separator: "/") }
    var description: String { relative }
}
