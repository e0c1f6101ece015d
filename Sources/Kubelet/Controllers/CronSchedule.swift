import Foundation

/// A standard 5-field cron schedule (minute hour day-of-month month day-of-week) as upstream's
/// parser (robfig/cron `ParseStandard`) reads it: `*`, `?`, numbers, names (`jan`, `mon`),
/// ranges `a-b`, steps `*/n`, `a-b/n`, `a/n`, lists, and `@yearly`…`@hourly`.
public struct CronSchedule: Sendable, Equatable {
    public let minutes: Set<Int>
    public let hours: Set<Int>
    public let daysOfMonth: Set<Int>
    public let months: Set<Int>
    /// 0 is Sunday.
    public let daysOfWeek: Set<Int>
    /// Whether the day fields were `*`/`?` (then both must match; otherwise either may).
    let dayOfMonthIsStar: Bool
    let dayOfWeekIsStar: Bool

    static let descriptors = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses a schedule; the error says what is wrong with which part.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("TZ=") || trimmed.hasPrefix("CRON_TZ=") {
            throw CronScheduleError("schedule \"\(text)\": TZ and CRON_TZ are not supported, use spec.timeZone")
        }
        var expression = trimmed
        if trimmed.hasPrefix("@") {
            guard let expanded = Self.descriptors[trimmed.lowercased()] else {
                throw CronScheduleError("schedule \"\(text)\": unrecognized descriptor \(trimmed)")
            }
            expression = expanded
        }
        let fields = expression.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronScheduleError("schedule \"\(text)\": expected exactly 5 fields, found \(fields.count)")
        }
        func parse(_ index: Int, _ low: Int, _ high: Int, _ names: [String], offset: Int) throws -> (Set<Int>, Bool) {
            do {
                return try Self.field(fields[index], low: low, high: high, names: names, nameOffset: offset)
            } catch let error as CronScheduleError {
                let label = ["minute", "hour", "day of month", "month", "day of week"][index]
                throw CronScheduleError("schedule \"\(text)\": \(label) field: \(error.message)")
            }
        }
        minutes = try parse(0, 0, 59, [], offset: 0).0
        hours = try parse(1, 0, 23, [], offset: 0).0
        (daysOfMonth, dayOfMonthIsStar) = try parse(2, 1, 31, [], offset: 0)
        months = try parse(3, 1, 12, Self.monthNames, offset: 1).0
        (daysOfWeek, dayOfWeekIsStar) = try parse(4, 0, 6, Self.dayNames, offset: 0)
    }

    /// One comma-separated field; returns its values and whether it was a bare `*`/`?`.
    static func field(_ text: String, low: Int, high: Int, names: [String], nameOffset: Int) throws -> (Set<Int>, Bool) {
        var values = Set<Int>()
        var star = false
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let rangeAndStep = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard rangeAndStep.count <= 2 else { throw CronScheduleError("too many slashes: \(part)") }
            let bounds = rangeAndStep[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            var start: Int, end: Int
            var isStar = false
            if bounds.count == 1 && (bounds[0] == "*" || bounds[0] == "?") {
                (start, end, isStar) = (low, high, true)
            } else if bounds.count == 1 {
                start = try value(bounds[0], names: names, offset: nameOffset)
                end = start
            } else if bounds.count == 2 {
                start = try value(bounds[0], names: names, offset: nameOffset)
                end = try value(bounds[1], names: names, offset: nameOffset)
            } else {
                throw CronScheduleError("too many hyphens: \(part)")
            }
            var step = 1
            if rangeAndStep.count == 2 {
                guard let parsed = Int(rangeAndStep[1]), parsed > 0 else {
                    throw CronScheduleError("step of range should be a positive number: \(part)")
                }
                step = parsed
                if bounds.count == 1 && !isStar { end = high }  // "N/step" means "N-max/step"
                if step > 1 { isStar = false }
            }
            guard start >= low else { throw CronScheduleError("beginning of range (\(start)) below minimum (\(low)): \(part)") }
            guard end <= high else { throw CronScheduleError("end of range (\(end)) above maximum (\(high)): \(part)") }
            guard start <= end else {
                throw CronScheduleError("beginning of range (\(start)) beyond end of range (\(end)): \(part)")
            }
            values.formUnion(stride(from: start, through: end, by: step))
            star = star || isStar
        }
        return (values, star)
    }

    static func value(_ text: String, names: [String], offset: Int) throws -> Int {
        if let index = names.firstIndex(of: text.lowercased()) { return index + offset }
        guard let number = Int(text), number >= 0 else { throw CronScheduleError("failed to parse int from \(text)") }
        return number
    }

    /// The first scheduled time strictly after `date`, reading the fields as wall-clock time in
    /// `timeZone` (a wall time skipped by a DST jump does not fire). Nil if none within 5 years.
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        var (y, mo, d, h, mi) = (c.year!, c.month!, c.day!, c.hour!, c.minute! + 1)
        let limit = y + 5
        func nextMonth() { (mo, d, h, mi) = (mo + 1, 1, 0, 0); if mo > 12 { (mo, y) = (1, y + 1) } }
        func nextDay() { (d, h, mi) = (d + 1, 0, 0); if d > Self.daysIn(y, mo) { nextMonth() } }
        func nextHour() { (h, mi) = (h + 1, 0); if h > 23 { nextDay() } }
        func nextMinute() { mi += 1; if mi > 59 { nextHour() } }
        if mi > 59 { mi = 59; nextMinute() }
        while y <= limit {
            if !months.contains(mo) { nextMonth(); continue }
            if !dayMatches(y, mo, d) { nextDay(); continue }
            if !hours.contains(h) { nextHour(); continue }
            if !minutes.contains(mi) { nextMinute(); continue }
            let wanted = DateComponents(year: y, month: mo, day: d, hour: h, minute: mi)
            if let candidate = calendar.date(from: wanted), candidate > date {
                let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: candidate)
                if back.hour == h && back.minute == mi && back.day == d { return candidate }
            }
            nextMinute()
        }
        return nil
    }

    func dayMatches(_ y: Int, _ mo: Int, _ d: Int) -> Bool {
        let dom = daysOfMonth.contains(d)
        let dow = daysOfWeek.contains(Self.weekday(y, mo, d))
        return dayOfMonthIsStar || dayOfWeekIsStar ? dom && dow : dom || dow
    }

    static func daysIn(_ y: Int, _ mo: Int) -> Int {
        switch mo {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// 0 = Sunday, from Howard Hinnant's days-from-civil.
    static func weekday(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday (4)
    }
}

/// Why a cron schedule could not be parsed.
public struct CronScheduleError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
