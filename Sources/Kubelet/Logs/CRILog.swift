import Foundation

/// The CRI container log format the kubelet reads: one entry per line,
/// `RFC3339Nano-timestamp stream tag text`, where tag is `F` for a full line and `P` for
/// a partial one (a line longer than the buffer, or the tail of a stream without `\n`).
public enum CRILog {
    public enum Stream: String, Sendable {
        case stdout, stderr
    }

    /// One decoded log entry.
    public struct Entry: Sendable, Equatable {
        public var time: String
        public var stream: Stream
        public var partial: Bool
        public var text: String
    }

    /// Formats a time as RFC 3339 with nanoseconds in UTC, as CRI runtimes write it.
    public static func timestamp(_ time: timespec) -> String {
        var seconds = time_t(time.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
            parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, time.tv_nsec)
    }

    /// Encodes one chunk of a line: `text` excludes the newline.
    public static func line(time: String, stream: Stream, partial: Bool, text: some Collection<UInt8>) -> [UInt8] {
        var out = Array("\(time) \(stream.rawValue) \(partial ? "P" : "F") ".utf8)
        out.append(contentsOf: text)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// Decodes one log line; nil for a line that is not in CRI format.
    public static func parse(_ line: Substring) -> Entry? {
        let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count >= 3, let stream = Stream(rawValue: String(fields[1])),
            fields[2] == "F" || fields[2] == "P"
        else { return nil }
        return Entry(
            time: String(fields[0]), stream: stream, partial: fields[2] == "P",
            text: fields.count == 4 ? String(fields[3]) : "")
    }

    /// Joins the entries of a log back into what the container wrote, partial lines merged.
    public static func text(of entries: [Entry]) -> String {
        var out = ""
        for entry in entries {
            out += entry.text
            if !entry.partial { out += "\n" }
        }
        return out
    }
}

/// Splits one stream's bytes into CRI log lines, keeping an unfinished line until its
/// newline arrives or it outgrows `maxLine` (then it is written as partial, as CRI-O does).
public struct CRILineSplitter: Sendable {
    public let stream: CRILog.Stream
    public let maxLine: Int
    private var pending: [UInt8] = []

    public init(stream: CRILog.Stream, maxLine: Int = 16 * 1024) {
        self.stream = stream
        self.maxLine = maxLine
    }

    /// Feeds bytes read from the stream; returns the log lines now complete.
    public mutating func feed(_ bytes: some Collection<UInt8>, time: String) -> [UInt8] {
        var out: [UInt8] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                out += CRILog.line(time: time, stream: stream, partial: false, text: pending)
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count >= maxLine {
                    out += CRILog.line(time: time, stream: stream, partial: true, text: pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        return out
    }

    /// At end of stream: what is left, as a partial line.
    public mutating func finish(time: String) -> [UInt8] {
        guard !pending.isEmpty else { return [] }
        defer { pending.removeAll() }
        return CRILog.line(time: time, stream: stream, partial: true, text: pending)
    }
}
