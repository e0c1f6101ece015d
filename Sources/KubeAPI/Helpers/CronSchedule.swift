import Foundation

/// A CronJob schedule: five cron fields, a descriptor such as `@hourly`, or `@every 90s`,
/// parsed and evaluated as robfig/cron (the library upstream's CronJob controller uses).
public struct CronSchedule: Sendable, Hashable {
    /// Why a schedule is not valid; the description is upstream's wording.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    // One bit per allowed value; `star` records a bare `*`/`?`, which changes how the
    // day-of-month and day-of-week fields combine.
    struct Field: Sendable, Hashable {
        var bits: UInt64
        var star: Bool
        func contains(_ value: Int) -> Bool { bits & (1 << UInt64(value)) != 0 }
    }

    var minute = Field(bits: 0, star: false)
    var hour = Field(bits: 0, star: false)
    var dayOfMonth = Field(bits: 0, star: false)
    var month = Field(bits: 0, star: false)
    var dayOfWeek = Field(bits: 0, star: false)
    /// Set for `@every <duration>`.
    public private(set) var interval: TimeInterval?

    static let descriptors = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses a schedule; throws with upstream-style wording.
    public init(parsing schedule: String) throws {
        let text = schedule.trimmingSpaces
        if text.hasPrefix("@every ") {
            guard let seconds = CronSchedule.parseDuration(String(text.dropFirst(7)).trimmingSpaces), seconds >= 1 else {
                throw ParseError(description: "failed to parse duration \(text)")
            }
            interval = seconds.rounded(.down)
            return
        }
        if text.hasPrefix("@") {
            guard let expanded = CronSchedule.descriptors[text] else {
                throw ParseError(description: "unrecognized descriptor: \(text)")
            }
            self = try CronSchedule(parsing: expanded)
            return
        }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else { throw ParseError(description: "expected exactly 5 fields, found \(fields.count): \(text)") }
        minute = try CronSchedule.field(fields[0], 0, 59, [])
        hour = try CronSchedule.field(fields[1], 0, 23, [])
        dayOfMonth = try CronSchedule.field(fields[2], 1, 31, [])
        month = try CronSchedule.field(fields[3], 1, 12, CronSchedule.months)
        dayOfWeek = try CronSchedule.field(fields[4], 0, 7, CronSchedule.weekdays)
        if dayOfWeek.contains(7) { dayOfWeek.bits |= 1 }  // 7 is Sunday too
    }

    /// nil when `schedule` is valid, else why not.
    public static func problem(_ schedule: String) -> String? {
        do {
            _ = try CronSchedule(parsing: schedule)
            return nil
        } catch let error as ParseError {
            return error.description
        } catch {
            return "\(error)"
        }
    }

    /// The first activation strictly after `date`, in `timeZone` (UTC by default); nil if
    /// none falls within five years (e.g. `0 0 30 2 *`).
    public func next(after date: Date, timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        if let interval {
            return Date(timeIntervalSince1970: (date.timeIntervalSince1970 + interval).rounded(.down))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // Start at the next whole minute.
        var t = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        guard let limit = calendar.date(byAdding: .year, value: 5, to: t) else { return nil }
        func parts(_ d: Date) -> DateComponents {
            calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: d)
        }
        while t < limit {
            let c = parts(t)
            if !month.contains(c.month!) {
                guard let first = calendar.date(from: DateComponents(year: c.year, month: c.month, day: 1)),
                    let next = calendar.date(byAdding: .month, value: 1, to: first)
                else { return nil }
                t = next
                continue
            }
            if !dayMatches(c) {
                guard let start = calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day)),
                    let next = calendar.date(byAdding: .day, value: 1, to: start)
                else { return nil }
                t = next
                continue
            }
            if !hour.contains(c.hour!) {
                t = Date(timeIntervalSince1970: (t.timeIntervalSince1970 / 3600).rounded(.down) * 3600 + 3600)
                continue
            }
            if !minute.contains(c.minute!) {
                t = t.addingTimeInterval(60)
                continue
            }
            return t
        }
        return nil
    }

    private func dayMatches(_ c: DateComponents) -> Bool {
        let domMatch = dayOfMonth.contains(c.day!)
        let dowMatch = dayOfWeek.contains(c.weekday! - 1)
        if dayOfMonth.star || dayOfWeek.star { return domMatch && dowMatch }
        return domMatch || dowMatch
    }

    private static func field(_ text: String, _ low: Int, _ high: Int, _ names: [String]) throws -> Field {
        var result = Field(bits: 0, star: false)
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let range = try CronSchedule.range(part, low, high, names)
            result.bits |= range.bits
            result.star = result.star || range.star
        }
        return result
    }

    private static func range(_ part: String, _ low: Int, _ high: Int, _ names: [String]) throws -> Field {
        func fail(_ message: String) -> ParseError { ParseError(description: message) }
        func value(_ text: String) throws -> Int {
            if let number = Int(text), number >= 0 { return number }
            if let index = names.firstIndex(of: text.lowercased()) { return index + (names.count == 12 ? 1 : 0) }
            throw fail("failed to parse int from \(text)")
        }
        let stepParts = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard stepParts.count <= 2, !stepParts[0].isEmpty else { throw fail("failed to parse int from \(part)") }
        var start: Int, end: Int
        var star = false
        if stepParts[0] == "*" || stepParts[0] == "?" {
            (start, end, star) = (low, high, true)
        } else {
            let bounds = stepParts[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard bounds.count <= 2 else { throw fail("too many hyphens: \(part)") }
            start = try value(bounds[0])
            end = bounds.count == 2 ? try value(bounds[1]) : start
            if bounds.count == 1, stepParts.count == 2 { end = high }  // "N/step" means "N-max/step"
        }
        var step = 1
        if stepParts.count == 2 {
            guard let parsed = Int(stepParts[1]), parsed > 0 else { throw fail("failed to parse int from \(stepParts[1])") }
            step = parsed
            if step > 1 { star = false }
        }
        if start < low { throw fail("beginning of range (\(start)) below minimum (\(low)): \(part)") }
        if end > high { throw fail("end of range (\(end)) above maximum (\(high)): \(part)") }
        if start > end { throw fail("beginning of range (\(start)) beyond end of range (\(end)): \(part)") }
        var bits: UInt64 = 0
        for v in stride(from: start, through: end, by: step) { bits |= 1 << UInt64(v) }
        return Field(bits: bits, star: star)
    }

    /// Go's `time.ParseDuration` for the units cron uses: `90s`, `1h30m`, `1.5h`, `500ms`.
    static func parseDuration(_ text: String) -> TimeInterval? {
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let amount = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) }) else {
                return nil
            }
            rest = rest.dropFirst(unit.0.count)
            total += amount * unit.1
        }
        return total
    }
}
