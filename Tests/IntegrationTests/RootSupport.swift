import Foundation

/// Root integration tests run only as root (CI runs as root, inside the private
/// network, mount and PID namespace that scripts/test.sh creates).
let isRoot = getuid() == 0

/// Where the package's executables were built: `SWIFTLET_BIN_DIR` (set by scripts/test.sh),
/// else the debug build folder of this checkout.
func builtBinary(_ name: String) -> String {
    if let dir = ProcessInfo.processInfo.environment["SWIFTLET_BIN_DIR"] {
        return dir + "/" + name
    }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/\(name)").path
}

/// The package root, for scripts and fixtures.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path
