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

    /// Numbers follow JSON's grammar exactly, as `JSON.parse` does: no leading zero, `+`, bare `.` or lone `-`.
    @Test func jsonNumbersFollowTheGrammar() throws {
        let good: [(String, Double)] = [
            ("0", 0), ("-0", 0), ("7", 7), ("-12", -12), ("0.5", 0.5), ("-0.25", -0.25), ("1e3", 1000),
            ("1E+2", 100), ("25e-1", 2.5), ("123456789012345678", 123456789012345678), ("1.5e308", 1.5e308),
        ]
        for (text, expected) in good {
            guard case .number(let number) = try TemplateValue(jsonText: text) else { Issue.record("\(text) is not a number"); continue }
            #expect(number == expected, "\(text)")
        }
        for bad in ["01", "+1", "1.", ".5", "-", "--1", "1e", "1e+", "0x10", "1.2.3", "-01", "00", "1ee2", "Infinity", "NaN"] {
            #expect(throws: JSONSyntaxError.self, "\(bad)") { try TemplateValue(jsonText: "[\(bad)]") }
        }
        let error = try #require(throws: JSONSyntaxError.self) { try TemplateValue(jsonText: "{\n  \"port\": 0080\n}") }
        #expect(error.line == 2 && error.column == 11)
        #expect(error.message.contains("no leading zero"))
    }

    @Test func jsonUnicodeEscapesTakeExactlyFourHexDigits() throws {
        #expect(try TemplateValue(jsonText: #""\u00E9\u00e9""#).javaScriptString == "éé")
        for bad in [#""\u+0e9""#, #""\u00g9""#, #""\u 0e9""#, #""\u00e""#] {
            #expect(throws: JSONSyntaxError.self, "\(bad)") { try TemplateValue(jsonText: bad) }
        }
    }

    /// Found by a differential pass against handlebars.js: Swift's `==` equates canonically
    /// equivalent strings, so `"é"` and `"e\u{301}"` were one key. JavaScript keeps them apart.
    @Test func keysAndStringsCompareByteForByteAsInJavaScript() throws {
        let composed = "\u{E9}", decomposed = "e\u{301}"
        for filler in [0, 20] {
            let extra = (0..<filler).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
            let value = try TemplateValue(jsonText: "{\"\\u00e9\": \"pre\", \"e\\u0301\": \"dec\"\(filler > 0 ? ", " + extra : "")}")
            guard case .object(let object) = value else { Issue.record("not an object"); return }
            #expect(object.keys.prefix(2) == [composed, decomposed] && object.keys.count == 2 + filler, "\(filler)")
            #expect(object[composed]?.javaScriptString == "pre" && object[decomposed]?.javaScriptString == "dec", "\(filler)")
            #expect(object["\u{212B}"] == nil && object["\u{C5}"] == nil)
        }
        let kelvin = TemplateObject([("\u{212A}", .string("kelvin"))])
        #expect(kelvin["K"] == nil && kelvin["\u{212A}"]?.javaScriptString == "kelvin")
        #expect(!TemplateValue.looseEquals(.string(composed), .string(decomposed)))
        #expect(TemplateValue.looseEquals(.string(composed), .string("\u{E9}")))
    }

    /// `==` between a string and a number reads the string as `Number` does, hex, octal and binary included.
    @Test func looseEqualityReadsNumbersAsJavaScriptDoes() {
        let equal: [(String, Double)] = [("0x10", 16), ("0X1f", 31), ("0o17", 15), ("0b101", 5), (" 12 ", 12), ("", 0), ("1e3", 1000)]
        for (text, number) in equal { #expect(TemplateValue.looseEquals(.string(text), .number(number)), "\(text)") }
        for text in ["-0x10", "0x", "0x1g", "0b2", "0o8", "1_0", "0x 1"] {
            #expect(JSNumber.parse(text).isNaN, "\(text)")
        }
    }

    @Test func truthinessFollowsHandlebars() {
        let falsy: [TemplateValue] = [.null, .bool(false), .number(0), .number(.nan), .string(""), .list([])]
        let truthy: [TemplateValue] = [.bool(true), .number(-1), .string("0"), .string(" "), .list([.null]), .dictionary([])]
        for value in falsy { #expect(!value.isTruthy) }
        for value in truthy { #expect(value.isTruthy) }
    }
}
