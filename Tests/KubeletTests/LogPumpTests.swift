import Foundation
import Testing
@testable import Kubelet

@Suite struct LogPumpTests {
    @Test func interleavedStreamsLandAsCRILines() throws {
        var out: [Int32] = [0, 0]
        var err: [Int32] = [0, 0]
        #expect(pipe(&out) == 0 && pipe(&err) == 0)
        let logPath = NSTemporaryDirectory() + "pump-\(UUID().uuidString).log"
        defer { unlink(logPath) }
        let pump = try LogPump(stdout: out[0], stderr: err[0], logPath: logPath)
        let thread = Thread { pump.run() }
        thread.start()
        _ = write(out[1], "hello\nworld", 11)
        _ = write(err[1], "oops\n", 5)
        close(out[1])
        close(err[1])
        var text = ""
        for _ in 0..<200 {
            text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if text.split(separator: "\n").count == 3 { break }
            usleep(10_000)
        }
        let entries = text.split(separator: "\n").compactMap(CRILog.parse)
        #expect(entries.count == 3)
        #expect(CRILog.text(of: entries.filter { $0.stream == .stdout }) == "hello\nworld")
        #expect(CRILog.text(of: entries.filter { $0.stream == .stderr }) == "oops\n")
    }
}
