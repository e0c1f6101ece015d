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

/// Runs the built `swiftlet` with `arguments` to its end: its exit status and what it wrote.
func runSwiftlet(_ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: builtBinary("swiftlet"))
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    do { try process.run() } catch { return (-1, "", "\(error)") }
    // Both pipes drain at once, so a chatty command never blocks on a full one.
    var stderr = Data()
    let drained = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        stderr = err.fileHandleForReading.readDataToEndOfFile()
        drained.signal()
    }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    drained.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// The package root, for scripts and fixtures.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

/// The whole text of a /proc file. Foundation's `String(contentsOfFile:)` stops after the
/// first 4 KiB of a procfs file (its size reads 0), which cut /proc/self/mountinfo short
/// once a run held a few dozen mounts.
func procText(_ path: String) -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
    defer { try? handle.close() }
    return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
}
