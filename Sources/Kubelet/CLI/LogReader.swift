import Foundation

/// `swiftlet logs`: the text of a CRI log file, its last lines, and following it.
public enum LogReader {
    /// The container's output as it wrote it; with `tail`, only the last lines.
    public static func read(path: String, tail: Int? = nil) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeletError("no log at \(path)")
        }
        let entries = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { CRILog.parse($0) }
        let text = CRILog.text(of: entries)
        guard let tail else { return text }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        let kept = tail >= 0 ? lines.suffix(tail) : lines[...]
        return kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n"
    }

    /// Writes new entries of the log to `output` as they arrive, until `keepGoing` says stop.
    public static func follow(path: String, from offset: Int, output: (String) -> Void, keepGoing: () -> Bool) {
        var offset = offset
        var pending = ""
        while true {
            if let handle = FileHandle(forReadingAtPath: path) {
                try? handle.seek(toOffset: UInt64(offset))
                let data = handle.readDataToEndOfFile()
                try? handle.close()
                offset += data.count
                pending += String(decoding: data, as: UTF8.self)
                var lines = pending.split(separator: "\n", omittingEmptySubsequences: false)
                pending = String(lines.removeLast())
                let text = CRILog.text(of: lines.compactMap { CRILog.parse($0) })
                if !text.isEmpty { output(text) }
            }
            if !keepGoing() { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}
