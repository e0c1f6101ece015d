import Foundation
import Testing
@testable import Kubelet

@Suite struct CRILogTests {
    let time = "2026-11-22T10:00:00.000000001Z"

    @Test func timestampIsRFC3339NanoInUTC() {
        let stamp = CRILog.timestamp(timespec(tv_sec: 1_700_000_000, tv_nsec: 42))
        #expect(stamp == "2023-11-14T22:13:20.000000042Z")
    }

    @Test func splitsFullAndPartialLines() {
        var splitter = CRILineSplitter(stream: .stdout, maxLine: 8)
        var out = splitter.feed(Array("hello\nwor".utf8), time: time)
        out += splitter.feed(Array("ld\n0123456789".utf8), time: time)
        out += splitter.finish(time: time)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text == """
            \(time) stdout F hello
            \(time) stdout F world
            \(time) stdout P 01234567
            \(time) stdout P 89

            """)
    }

    @Test func parsesLinesBackIntoWhatWasWritten() {
        let log = "\(time) stdout P abc\n\(time) stdout F def\n\(time) stderr F oops: two words\n"
        let entries = log.split(separator: "\n").compactMap(CRILog.parse)
        #expect(entries.count == 3)
        #expect(entries[2].stream == .stderr)
        #expect(CRILog.text(of: entries) == "abcdef\noops: two words\n")
        #expect(CRILog.parse("not a log line") == nil)
    }
}
