import Testing
@testable import LoopsealTemplates
import LoopsealValue

@Suite struct ValueTests {
    @Test func numbersPrintLikeJavaScript() throws {
        let cases: [(Double, String)] = [
            (1, "1"), (1.0, "1"), (-0.0, "0"), (0.1, "0.1"), (0.1 + 0.2, "0.30000000000000004"), (1e21, "1e+21"),
            (1e20, "100000000000000000000"), (123456789012345680000, "123456789012345680000"), (1e-7, "1e-7"),
            (0.000001, "0.000001"), (1.5e-10, "1.5e-10"), (-2.5, "-2.5"), (9007199254740992, "9007199254740992"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (5e-324, "5e-324"), (.nan, "NaN"),
            (.infinity, "Infinity"), (-.infinity, "-Infinity"), (1234.5678, "1234.5678"), (1e15, "1000000000000000"),
        ]
        for (value, expected) in cases { #expect(JSNumber.format(value) == expected, "\(value)") }
    }

    @Test func jsonKeepsOrderAndJavaScriptKeyOrdering() throws {
        let value = try TemplateValue(jsonText: #"{"b": 1, "a": [true, null, "x\u00e9\n"], "10": 2, "2": 3, "b": 4}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.keys == ["2", "10", "b", "a"])
        #expect(object["b"]?.javaScriptString == "4")
        #expect(object["a"]?.javaScriptString == "true,,xé\n")
        for bad in ["{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "[1] 2", "{\"a\":\"\u{1}\"}"] {
            #expect(throws: JSONSyntaxError.self) { try TemplateValue(jsonText: bad) }
        }
    }

    @Test func truthinessFollowsHandlebars() {
        let falsy: [TemplateValue] = [.null, .bool(false), .number(0), .number(.nan), .string(""), .list([])]
        let truthy: [TemplateValue] = [.bool(true), .number(-1), .string("0"), .string(" "), .list([.null]), .dictionary([])]
        for value in falsy { #expect(!value.isTruthy) }
        for value in truthy { #expect(value.isTruthy) }
    }
}
