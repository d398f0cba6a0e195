import Foundation
import LoopsealValue
import MCP
import Testing
@testable import LoopsealMCP

/// The JSON text of a template value, for comparing (TemplateValue is not Equatable).
enum TemplateValueText {
    static func of(_ value: TemplateValue) -> String { value.jsonText() }
    static func of(_ values: [TemplateValue]) -> String { TemplateValue.list(values).jsonText() }
}

/// Converting between MCP values (tool arguments and results) and workflow data.
@Suite("MCP value conversion")
struct ValueConversionTests {
    @Test("whole numbers become integers, others stay doubles, beyond 2^53 too")
    func numbers() {
        #expect(Value(TemplateValue.number(3)) == .int(3))
        #expect(Value(TemplateValue.number(-0.0)) == .int(0))
        #expect(Value(TemplateValue.number(2.5)) == .double(2.5))
        #expect(Value(TemplateValue.number(9_007_199_254_740_992)) == .double(9_007_199_254_740_992))
        #expect(Value(TemplateValue.number(9_007_199_254_740_991)) == .int(9_007_199_254_740_991))
        #expect(Value(TemplateValue.number(.infinity)) == .double(.infinity))
    }

    @Test("scalars, lists and objects convert to MCP values; a repeated key keeps the last")
    func toMCP() {
        let value = TemplateValue.dictionary([
            ("s", .string("text")), ("b", .bool(true)), ("n", .null), ("l", .list([.number(1), .string("x")])),
            ("dup", .number(1)), ("dup", .number(2)),
        ])
        #expect(Value(value) == ["s": "text", "b": true, "n": .null, "l": [1, "x"], "dup": 2])
    }

    @Test("MCP values convert to workflow data with sorted keys; integers become numbers")
    func toTemplate() {
        let value: Value = ["z": 1, "a": [true, .null, 2.5, "s"], "m": ["k": "v"]]
        #expect(TemplateValueText.of(TemplateValue(value)) == #"{"a":[true,null,2.5,"s"],"m":{"k":"v"},"z":1}"#)
    }

    @Test("a data URL the SDK decoded as binary stays the same text")
    func dataURL() {
        let url = "data:text/plain;base64,aGVsbG8="
        let decoded = Value.data(mimeType: "text/plain", Data("hello".utf8))
        #expect(TemplateValueText.of(TemplateValue(decoded)) == "\"\(url)\"")
    }

    @Test("a round trip keeps the value; tool result text is compact JSON with sorted keys")
    func roundTrip() {
        let value: Value = ["b": [1, 2.5, "x", .null, false], "a": ["nested": "/path"]]
        #expect(Value(TemplateValue(value)) == value)
        #expect(value.jsonText == #"{"a":{"nested":"/path"},"b":[1,2.5,"x",null,false]}"#)
    }
}
