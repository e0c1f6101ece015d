import Foundation
import KubePrinting

/// The events section of `swiftlet describe`, in kubectl's layout: one row per event with
/// its age (and how often it repeated over how long), `From` the component that recorded it.
enum EventsTable {
    /// `Events:` and the table, or `<none>` at column `noneColumn` when there are none.
    static func text(_ events: [PodEvent], from source: String, noneColumn: Int, now: Date) -> String {
        guard !events.isEmpty else { return "Events:".padding(toLength: noneColumn, withPad: " ", startingAt: 0) + "<none>" }
        var rows = [["  Type", "Reason", "Age", "From", "Message"], ["  ----", "------", "----", "----", "-------"]]
        for event in events {
            var age = HumanDuration.format(now.timeIntervalSince(event.lastTimestamp))
            if event.count > 1 {
                age += " (x\(event.count) over \(HumanDuration.format(now.timeIntervalSince(event.firstTimestamp))))"
            }
            rows.append(["  " + event.type, event.reason, age, source, event.message])
        }
        return "Events:\n" + TablePrinter.render(rows).trimmingCharacters(in: .newlines)
    }
}
