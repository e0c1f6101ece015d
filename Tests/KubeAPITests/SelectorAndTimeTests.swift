import Foundation
import Testing
@testable import KubeAPI

@Suite struct LabelSelectorTests {
    let labels = ["app": "web", "tier": "frontend"]

    @Test func matchLabelsMustAllMatch() {
        #expect(LabelSelector(matchLabels: ["app": "web"]).matches(labels))
        #expect(!LabelSelector(matchLabels: ["app": "web", "tier": "backend"]).matches(labels))
        #expect(!LabelSelector(matchLabels: ["app": "web"]).matches(nil))
    }

    @Test func expressions() {
        func sel(_ op: LabelSelectorOperator, _ key: String, _ values: [String]? = nil) -> LabelSelector {
            LabelSelector(matchExpressions: [LabelSelectorRequirement(key: key, operator: op, values: values)])
        }
        #expect(sel(.in, "tier", ["frontend", "edge"]).matches(labels))
        #expect(!sel(.in, "tier", ["backend"]).matches(labels))
        #expect(!sel(.in, "zone", ["a"]).matches(labels))
        #expect(sel(.notIn, "tier", ["backend"]).matches(labels))
        #expect(sel(.notIn, "zone", ["a"]).matches(labels))
        #expect(!sel(.notIn, "tier", ["frontend"]).matches(labels))
        #expect(sel(.exists, "app").matches(labels))
        #expect(!sel(.exists, "zone").matches(labels))
        #expect(sel(.doesNotExist, "zone").matches(labels))
        #expect(!sel(.doesNotExist, "app").matches(labels))
        #expect(!sel("Like", "app", ["web"]).matches(labels))
    }

    @Test func emptySelectorMatchesEverything() {
        #expect(LabelSelector().matches(labels))
        #expect(LabelSelector().matches(nil))
        #expect(LabelSelector().isEmpty)
    }

    @Test func serviceStyleMapSelector() {
        #expect(labels.matches(selector: ["app": "web"]))
        #expect(!labels.matches(selector: ["app": "api"]))
        #expect(labels.matches(selector: [:]))
    }
}

@Suite struct KubeTimeTests {
    @Test func parsesRFC3339Variants() throws {
        let utc = try #require(KubeTime.parse("2024-02-29T23:00:00Z"))
        #expect(KubeTime.parse("2024-03-01T01:00:00+02:00") == utc)
        #expect(KubeTime.parse("2024-02-29T18:30:00-04:30") == utc)
        #expect(KubeTime.parse("2024-02-29T23:00:00.250Z") == utc.addingTimeInterval(0.25))
        #expect(utc.timeIntervalSince1970 == 1_709_247_600)
    }

    @Test(arguments: ["", "yesterday", "2024-02-29", "2024-13-01T00:00:00Z", "2024-02-29T23:00:00", "2024-02-29T23:00:00Zjunk"])
    func refusesOtherText(text: String) {
        #expect(KubeTime.parse(text) == nil)
    }

    @Test func encodesWholeSecondsUTC() throws {
        let time = KubeTime(Date(timeIntervalSince1970: 1_709_247_600.75))
        #expect(time.description == "2024-02-29T23:00:00Z")
        #expect(time.rfc3339Nano == "2024-02-29T23:00:00.750000000Z")
        #expect(String(decoding: try KubeEncoder.json(time), as: UTF8.self) == "\"2024-02-29T23:00:00Z\"")
        #expect(KubeTime(Date(timeIntervalSince1970: -1)).description == "1969-12-31T23:59:59Z")
    }
}
