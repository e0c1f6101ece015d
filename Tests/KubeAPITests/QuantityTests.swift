import Foundation
import Testing
@testable import KubeAPI

@Suite struct QuantityTests {
    @Test(arguments: [
        ("100m", "100m", Int64(1), Int64(100)),
        ("1.5Gi", "1536Mi", 1_610_612_736, 1_610_612_736_000),
        ("1e3", "1e3", 1000, 1_000_000),
        ("1E3", "1e3", 1000, 1_000_000),
        ("0.1", "100m", 1, 100),
        ("2000", "2k", 2000, 2_000_000),
        ("1500", "1500", 1500, 1_500_000),
        ("1Gi", "1Gi", 1_073_741_824, 1_073_741_824_000),
        ("1024", "1024", 1024, 1_024_000),
        ("0.5Ki", "512", 512, 512_000),
        ("1.5", "1500m", 2, 1500),
        ("1n", "1n", 1, 1),
        ("0.1n", "1n", 1, 1),
        ("-1", "-1", -1, -1000),
        ("12e6", "12e6", 12_000_000, 12_000_000_000),
        ("1E", "1E", 1_000_000_000_000_000_000, Int64.max),
        ("+5", "5", 5, 5000),
        ("5.", "5", 5, 5000),
        (".5", "500m", 1, 500),
        ("0", "0", 0, 0),
        ("0Mi", "0", 0, 0),
        ("64Mi", "64Mi", 67_108_864, 67_108_864_000),
        ("250u", "250u", 1, 1),
    ])
    func parsesAndCanonicalizes(input: String, canonical: String, value: Int64, milli: Int64) throws {
        let quantity = try Quantity(parsing: input)
        #expect(quantity.description == canonical)
        #expect(quantity.value == value)
        #expect(quantity.milliValue == milli)
    }

    @Test(arguments: ["", "abc", "1.2.3", "1x", "Gi", "1 Gi", "1e", "--1", "1Kb", "0x10", "1e1000000000"])
    func refusesMalformed(input: String) {
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: input) }
    }

    @Test(arguments: ["1e40", "99999999999Ei", "10E", "100000000000000000000"])
    func refusesHuge(input: String) {
        #expect(throws: Quantity.ParseError.tooLarge(input)) { try Quantity(parsing: input) }
    }

    @Test func decodesNumbersAndEncodesCanonicalStrings() throws {
        let limits = try ManifestValueDecoder().decode(
            [String: Quantity].self, from: .object([("cpu", .double(0.5)), ("memory", .int(2)), ("x", .string("1.5Gi"))]))
        #expect(limits["cpu"]?.description == "500m")
        #expect(limits["memory"]?.description == "2")
        let json = String(decoding: try KubeEncoder.json(limits["x"]!), as: UTF8.self)
        #expect(json == "\"1536Mi\"")
    }

    @Test func comparesByAmount() throws {
        #expect(try Quantity(parsing: "1Gi") > Quantity(parsing: "1000Mi"))
        #expect(try Quantity(parsing: "500m") < Quantity(parsing: "1"))
        #expect(Quantity(milliValue: 250).description == "250m")
        #expect(Quantity(1024, format: .binarySI).description == "1Ki")
    }
}

@Suite struct IntOrStringTests {
    @Test func scalesPercentages() {
        #expect(IntOrString.string("25%").scaledValue(total: 10, roundUp: true) == 3)
        #expect(IntOrString.string("25%").scaledValue(total: 10, roundUp: false) == 2)
        #expect(IntOrString.int(4).scaledValue(total: 10, roundUp: true) == 4)
        #expect(IntOrString.string("lots").scaledValue(total: 10, roundUp: true) == nil)
    }

    @Test func encodesBare() throws {
        #expect(String(decoding: try KubeEncoder.json([IntOrString.int(80), "http"]), as: UTF8.self) == #"[80,"http"]"#)
    }
}
