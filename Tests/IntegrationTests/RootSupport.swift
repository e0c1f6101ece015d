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

/// /proc/self/mountinfo in full: Foundation's `String(contentsOfFile:)` stops after one page
/// of a procfs file, losing mounts once parallel tests make the table longer.
func mountInfoTable() -> String {
    let fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}
