import Testing

@testable import CNI

@Suite struct JSONValueTests {
    @Test func parsesAndKeepsKeyOrderAndNumbers() throws {
        let text = #"{"b": 1, "a": [true, null, 2.50, "x\"\u00e9\ud83d\ude00"], "c": {}}"#
        let value = try JSONValue.parse(text)
        #expect(value["b"]?.intValue == 1)
        #expect(value.objectValue?.map(\.0) == ["b", "a", "c"])
        #expect(value.serialized() == #"{"b":1,"a":[true,null,2.50,"x\"é😀"],"c":{}}"#)
    }

    @Test func prettyPrintsWithIndent() throws {
        let value = try JSONValue.parse(#"{"a":[1],"b":{"c":"d"}}"#)
        #expect(value.serialized(indent: 2) == "{\n  \"a\": [\n    1\n  ],\n  \"b\": {\n    \"c\": \"d\"\n  }\n}")
    }

    @Test(arguments: ["{", "{\"a\" 1}", "[1,]", "tru", "\"\u{01}\"", "{} x", "-", ""])
    func rejectsMalformedText(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func setReplacesAndRemovesMembers() throws {
        var value = try JSONValue.parse(#"{"a":1,"b":2}"#)
        value.set("a", .string("x"))
        value.set("b", nil)
        value.set("c", .bool(false))
        #expect(value.serialized() == #"{"a":"x","c":false}"#)
    }
}
