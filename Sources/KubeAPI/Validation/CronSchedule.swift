/// Syntax check of a standard five-field cron schedule (robfig/cron's parser, which upstream
/// uses), including `@hourly`-style descriptors and `@every`.
enum CronSchedule {
    static let descriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// nil when valid, else upstream-style wording.
    static func problem(_ schedule: String) -> String? {
        let text = schedule.trimmingSpaces
        if text.hasPrefix("@") {
            if descriptors.contains(text) { return nil }
            if text.hasPrefix("@every ") { return nil }
            return "unrecognized descriptor: \(text)"
        }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else { return "expected exactly 5 fields, found \(fields.count): \(text)" }
        let bounds: [(Int, Int, [String])] = [(0, 59, []), (0, 23, []), (1, 31, []), (1, 12, months), (0, 7, weekdays)]
        for (field, (low, high, names)) in zip(fields, bounds) {
            for part in field.split(separator: ",", omittingEmptySubsequences: false) {
                if let problem = rangeProblem(String(part), low: low, high: high, names: names) { return problem }
            }
        }
        return nil
    }

    private static func value(_ text: String, names: [String], low: Int) -> Int? {
        if let number = Int(text) { return number }
        if let index = names.firstIndex(of: text.lowercased()) { return index + (names.count == 12 ? 1 : 0) }
        return nil
    }

    private static func rangeProblem(_ part: String, low: Int, high: Int, names: [String]) -> String? {
        let stepParts = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard stepParts.count <= 2, !stepParts[0].isEmpty else { return "failed to parse int from \(part)" }
        if stepParts.count == 2 {
            guard let step = Int(stepParts[1]), step > 0 else { return "failed to parse int from \(stepParts[1])" }
        }
        if stepParts[0] == "*" || stepParts[0] == "?" { return nil }
        let bounds = stepParts[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard bounds.count <= 2 else { return "too many hyphens: \(part)" }
        var values: [Int] = []
        for bound in bounds {
            guard let number = value(bound, names: names, low: low) else { return "failed to parse int from \(bound)" }
            values.append(number)
        }
        if values.first! < low { return "beginning of range (\(values.first!)) below minimum (\(low)): \(part)" }
        if values.last! > high { return "end of range (\(values.last!)) above maximum (\(high)): \(part)" }
        if values.first! > values.last! { return "beginning of range (\(values.first!)) beyond end of range (\(values.last!)): \(part)" }
        return nil
    }
}
