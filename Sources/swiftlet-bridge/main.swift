// swiftlet-bridge: a CNI 1.0 bridge plugin (exec protocol: CNI_* env, config on stdin,
// result or error JSON on stdout, logs on stderr).
import CNI
import Logging

#if canImport(Glibc)
    import Glibc
#endif

func processEnvironment() -> [String: String] {
    var env: [String: String] = [:]
    var p = environ
    while let entry = p.pointee {
        let s = String(cString: entry)
        if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
        p += 1
    }
    return env
}

func readStandardInput() -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16384)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return out }
        out.append(contentsOf: buffer[0..<n])
    }
}

let environment = processEnvironment()
LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
var logger = Logger(label: "swiftlet-bridge")
logger.logLevel = environment["SWIFTLET_BRIDGE_DEBUG"] == "1" ? .debug : .warning
let input = environment["CNI_COMMAND"] == "VERSION" && isatty(0) != 0 ? [] : readStandardInput()
let outcome = PluginMain.run(environment: environment, stdin: input, logger: logger)
fputs(outcome.stdout, stdout)
fflush(stdout)
exit(outcome.exitCode)
