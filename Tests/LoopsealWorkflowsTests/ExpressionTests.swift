import Testing
import LoopsealTemplates
@testable import LoopsealWorkflows
import LoopsealValue

/// The context most tests evaluate against.
private let context: TemplateValue = {
    do {
        return try TemplateValue(jsonText: """
        {
          "state": {
            "secretKeys": [{"key": "A", "hasValue": true}, {"key": "B", "hasValue": false}],
            "count": 3, "zero": 0, "empty": [], "obj": {}, "name": "Ada", "nothing": null,
            "nested": {"deep": {"value": "x"}},
            "spaced key": {"b c": 7}
          },
          "args": {"value": "42", "name": "World", "flag": true, "list": [10, 20, 30], "key": "count", "idx": 1},
          "result": {"data": [1, 2]},
          "runtime": {"transition": {"payload": {"keys": ["K1"]}}}
        }
        """)
    } catch {
        Issue.record("bad fixture: \(error)")
        return .null
    }
}()

/// A canonical rendering of a value: strings quoted, `undefined` for nil.
private func render(_ value: TemplateValue?) -> String {
    guard let value else { return "undefined" }
    switch value {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number: return value.javaScriptString
    case .string(let s): return "\"\(s)\""
    case .array(let a): return "[" + a.items.map { render($0) }.joined(separator: ",") + "]"
    case .object(let o): return "{" + zip(o.keys, o.values).map { "\($0):\(render($1))" }.joined(separator: ",") + "}"
    }
}

/// Parses and evaluates, rendering the value or the error.
private func run(_ source: String) -> String {
    do {
        return render(try WorkflowExpression(source).evaluate(context))
    } catch {
        return "error at \(error.offset): \(error.message)"
    }
}

/// The error parsing `source` throws, if any.
private func parseError(_ source: String) -> ExpressionError? {
    do {
        _ = try WorkflowExpression(source)
        return nil
    } catch {
        return error
    }
}

@Suite("Workflow expressions")
struct ExpressionTests {
    // MARK: Literals

    @Test(arguments: [
        ("42", "42"), ("3.5", "3.5"), (".5", "0.5"), ("0", "0"), ("1e3", "1000"), ("2.5E-1", "0.25"),
        ("-7", "-7"), ("- 7.25", "-7.25"),
        ("'single'", "\"single\""), ("\"double\"", "\"double\""), ("''", "\"\""),
        (#"'it\'s'"#, "\"it's\""), (#""say \"hi\"""#, "\"say \"hi\"\""), (#"'back\\slash'"#, "\"back\\slash\""),
        (#"'l1\nl2'"#, "\"l1\nl2\""), (#"'a\tb'"#, "\"a\tb\""), (#"'\u0041\u{1F600}'"#, "\"A😀\""),
        (#""it's""#, "\"it's\""), (#"'say "x"'"#, "\"say \"x\"\""),
        ("true", "true"), ("false", "false"), ("null", "null"), ("undefined", "undefined"),
    ])
    func literals(source: String, expected: String) {
        #expect(run(source) == expected)
    }

    // MARK: Paths

    @Test(arguments: [
        ("state.count", "3"),
        ("state.secretKeys[0].key", "\"A\""),
        ("state.secretKeys[1].hasValue", "false"),
        ("state.nested.deep.value", "\"x\""),
        ("result.data", "[1,2]"),
        ("runtime.transition.payload.keys", "[\"K1\"]"),
        ("runtime.transition.payload.keys[0]", "\"K1\""),
        ("args.value", "\"42\""),
        ("state[\"spaced key\"][\"b c\"]", "7"),
        ("state['spaced key']['b c']", "7"),
        ("args.list[args.idx]", "20"),
        ("args.list[1 + 1]", "30"),
        ("args.list['0']", "10"),
        ("state[args.key]", "3"),
        ("state.secretKeys.length", "2"),
        ("state.empty.length", "0"),
        ("state.name.length", "3"),
        ("state.name[0]", "\"A\""),
        ("state.obj", "{}"),
        ("(state).count", "3"),
        ("('abc').length", "3"),
        ("state?.count", "3"),
        ("args.list?.[2]", "30"),
        ("state.true", "undefined"),
        // Missing at every depth is undefined, never an error.
        ("missing", "undefined"),
        ("missing.a", "undefined"),
        ("missing.a.b.c", "undefined"),
        ("state.missing", "undefined"),
        ("state.missing.x", "undefined"),
        ("state.nested.missing.value", "undefined"),
        ("state.nested.deep.missing", "undefined"),
        ("state.nothing", "null"),
        ("state.nothing.x", "undefined"),
        ("state.nothing[0]", "undefined"),
        ("state.count.x", "undefined"),
        ("state.name.x", "undefined"),
        ("args.list[5]", "undefined"),
        ("args.list[-1]", "undefined"),
        ("args.list[1.5]", "undefined"),
        ("state.secretKeys[9].key", "undefined"),
        ("state.obj.length", "undefined"),
        ("null.x", "undefined"),
        ("undefined.x", "undefined"),
        ("state[missing]", "undefined"),
        ("missing?.a?.[0]", "undefined"),
    ])
    func paths(source: String, expected: String) {
        #expect(run(source) == expected)
    }

    @Test func rootOfNonObjectContextIsUndefined() throws {
        #expect(try WorkflowExpression("state").evaluate(.null) == nil)
        #expect(try WorkflowExpression("length").evaluate(.list([])).map(render) == "0")
        #expect(try WorkflowExpression("1 + 1").evaluate(.string("x")).map(render) == "2")
    }

    // MARK: Operators

    @Test(arguments: [
        // arithmetic
        ("2 * 3", "6"), ("7 / 2", "3.5"), ("7 % 4", "3"), ("-7 % 4", "-3"), ("5.5 % 2", "1.5"),
        ("1 + 2", "3"), ("5 - 8", "-3"), ("1 / 0", "Infinity"), ("-1 / 0", "-Infinity"), ("0 / 0", "NaN"),
        ("'3' * '4'", "12"), ("'3' - 1", "2"), ("-'5'", "-5"), ("+'5'", "5"), ("+true", "1"), ("+''", "0"),
        ("+null", "0"), ("+undefined", "NaN"), ("+'abc'", "NaN"), ("+' 12 '", "12"), ("+'0x10'", "16"),
        ("+'0b101'", "5"), ("+'1e2'", "100"), ("+'1.'", "1"), ("+'inf'", "NaN"), ("+'Infinity'", "Infinity"),
        ("+args.list", "NaN"), ("+state.empty", "0"), ("+result.data[0]", "1"), ("+state.obj", "NaN"),
        ("- -3", "3"), ("-(-3)", "3"),
        // + concatenates if either side is a string
        ("'a' + 'b'", "\"ab\""), ("'n: ' + state.count", "\"n: 3\""), ("state.count + '!'", "\"3!\""),
        ("1 + 2 + '3'", "\"33\""), ("'1' + 2 + 3", "\"123\""), ("'a' + null", "\"anull\""),
        ("'a' + undefined", "\"aundefined\""), ("'a' + true", "\"atrue\""), ("'x' + args.list", "\"x10,20,30\""),
        ("'' + state.obj", "\"[object Object]\""), ("1 + true", "2"), ("1 + null", "1"), ("1 + undefined", "NaN"),
        ("args.list + 1", "\"10,20,301\""), ("0.1 + 0.2", "0.30000000000000004"),
        // not
        ("!true", "false"), ("!0", "true"), ("!1", "false"), ("!''", "true"), ("!'0'", "false"),
        ("!null", "true"), ("!undefined", "true"), ("!(0 / 0)", "true"), ("!missing", "true"),
        ("!state.empty", "false"), ("!state.obj", "false"), ("!!state.secretKeys", "true"), ("!!args.name", "true"),
        // relational
        ("1 < 2", "true"), ("2 < 1", "false"), ("2 <= 2", "true"), ("3 >= 4", "false"), ("4 > 3", "true"),
        ("'a' < 'b'", "true"), ("'B' < 'a'", "true"), ("'10' < '9'", "true"), ("'abc' < 'abd'", "true"),
        ("'ab' < 'abc'", "true"), ("'abc' <= 'abc'", "true"),
        ("'10' < 9", "false"), ("10 > '9'", "true"), ("'2' >= 2", "true"), ("true > false", "true"),
        ("null < 1", "true"), ("null >= 0", "true"), ("null > -1", "true"),
        ("undefined < 1", "false"), ("undefined >= 1", "false"), ("undefined <= undefined", "false"),
        ("'abc' < 1", "false"), ("'abc' >= 1", "false"), ("(0/0) <= (0/0)", "false"),
        ("args.value > 41", "true"), ("state.secretKeys.length > 0", "true"), ("state.empty.length > 0", "false"),
        // equality
        ("1 == 1", "true"), ("1 != 2", "true"), ("1 === 1", "true"), ("1 !== 1", "false"),
        ("'abc' == 'abc'", "true"), ("'a' != 'b'", "true"),
        // logical
        ("true && false", "false"), ("true || false", "true"), ("false || false", "false"),
        ("null ?? 'd'", "\"d\""), ("undefined ?? 'd'", "\"d\""), ("missing ?? state.name", "\"Ada\""),
        ("0 ?? 'd'", "0"), ("'' ?? 'd'", "\"\""), ("false ?? 'd'", "false"), ("null ?? undefined ?? 3", "3"),
        ("(true && null) ?? 'd'", "\"d\""), ("null ?? (0 || 5)", "5"),
        // ternary
        ("true ? 'y' : 'n'", "\"y\""), ("0 ? 'y' : 'n'", "\"n\""), ("state.empty ? 'y' : 'n'", "\"y\""),
        ("state.secretKeys.length ? state.secretKeys[0].key : 'none'", "\"A\""),
    ])
    func operators(source: String, expected: String) {
        #expect(run(source) == expected)
    }

    /// `&&`, `||` return an operand, and the operand not chosen is never needed.
    @Test(arguments: [
        ("args.missing || 'default'", "\"default\""), ("args.name || 'default'", "\"World\""),
        ("0 || ''", "\"\""), ("'' || 0", "0"), ("null || undefined", "undefined"), ("undefined || null", "null"),
        ("state.count && args.name", "\"World\""), ("state.zero && args.name", "0"),
        ("'' && missing.x", "\"\""), ("null && 1", "null"), ("1 && 2 && 3", "3"), ("1 && 0 && 3", "0"),
        ("0 || null || 'x' || 'y'", "\"x\""), ("state.empty || 'd'", "[]"), ("state.obj && 'ok'", "\"ok\""),
        ("false && missing.a.b", "false"), ("true || missing.a.b", "true"),
    ])
    func shortCircuitReturnsOperands(source: String, expected: String) {
        #expect(run(source) == expected)
    }

    @Test(arguments: [
        ("null == undefined", true), ("undefined == null", true), ("null === undefined", false),
        ("null == null", true), ("undefined === undefined", true), ("missing == undefined", true),
        ("args.missing == null", true), ("args.missing != null", false), ("state.nothing == undefined", true),
        ("null == 0", false), ("undefined == 0", false), ("null == false", false), ("null == ''", false),
        ("1 == '1'", true), ("1 === '1'", false), ("1 !== '1'", true), ("'1' != 1", false),
        ("0 == ''", true), ("0 == '  '", true), ("0 == false", true), ("1 == true", true), ("2 == true", false),
        ("'1' == true", true), ("'true' == true", false), ("'' == false", true), ("'0' == false", true),
        ("true === 1", false), ("'1.0' == 1", true), ("'0x1' == 1", true), ("'abc' == 0", false),
        ("(0/0) == (0/0)", false), ("(0/0) != (0/0)", true), ("(0/0) === (0/0)", false),
        ("args.value == 42", true), ("args.value === '42'", true), ("args.value === 42", false),
        ("state.count == '3'", true), ("args.flag == 1", true), ("args.flag === true", true),
        // Arrays and objects: equal only to the same case with equal structure (documented choice).
        ("state.empty == state.empty", true), ("state.secretKeys == state.secretKeys", true),
        ("state.secretKeys === state.secretKeys", true), ("result.data == args.list", false),
        ("state.obj == state.empty", false), ("state.obj == state.obj", true), ("state.obj != null", true),
        ("state.empty == ''", false), ("state.empty == 0", false), ("result.data[0] == 1", true),
        ("args.list == '10,20,30'", false), ("state.obj == '[object Object]'", false),
    ])
    func looseAndStrictEquality(source: String, expected: Bool) {
        #expect(run(source) == (expected ? "true" : "false"))
    }

    @Test func structuralEqualityOfSeparateValues() throws {
        let context = try TemplateValue(jsonText: #"""
        {"a": {"x": [1, {"y": null}], "z": "s"}, "b": {"z": "s", "x": [1, {"y": null}]},
         "c": {"x": [1, {"y": 0}], "z": "s"}, "d": [1, 2], "e": [1, 2], "f": [2, 1]}
        """#)
        for (source, expected) in [("a == b", true), ("a === b", true), ("a == c", false), ("d == e", true),
                                   ("d == f", false), ("d != e", false), ("d !== f", true)] {
            #expect(try WorkflowExpression(source).evaluate(context).map(render) == "\(expected)", "\(source)")
        }
    }

    // MARK: Precedence

    @Test(arguments: [
        ("1 + 2 * 3", "7"), ("(1 + 2) * 3", "9"), ("2 * 3 + 1", "7"), ("-2 * 3", "-6"), ("-2 + 3", "1"),
        ("10 - 4 - 3", "3"), ("100 / 10 / 5", "2"), ("2 * 3 % 4", "2"), ("1 + 6 / 2 - 1", "3"),
        ("!state.zero && args.flag || 'c'", "true"), ("!args.flag && state.zero || 'c'", "\"c\""),
        ("!true || true", "true"), ("!(true || true)", "false"), ("!1 == false", "true"), ("-'2' * '3'", "-6"),
        ("1 == 1 && 2 != 3", "true"), ("1 == 2 && 2 != 3", "false"), ("1 == 2 || 2 != 3", "true"),
        ("1 < 2 == true", "true"), ("2 > 1 == 3 > 2", "true"), ("1 + 1 == 2", "true"), ("1 + 1 < 3", "true"),
        ("'a' + 1 + 2", "\"a12\""), ("'a' + (1 + 2)", "\"a3\""), ("1 + 2 + 'a'", "\"3a\""),
        ("false && true || true", "true"), ("true || false && false", "true"), ("(true || false) && false", "false"),
        ("0 || 1 && 2", "2"), ("0 && 1 || 2", "2"),
        ("true ? 1 : false ? 2 : 3", "1"), ("false ? 1 : false ? 2 : 3", "3"), ("false ? 1 : true ? 2 : 3", "2"),
        ("true ? false ? 1 : 2 : 3", "2"), ("false ? false ? 1 : 2 : 3", "3"), ("1 || 2 ? 'a' : 'b'", "\"a\""),
        ("0 && 1 ? 'a' : 'b'", "\"b\""), ("1 + 1 == 2 ? 'ok' : 'no'", "\"ok\""), ("true ? 1 + 1 : 0", "2"),
        ("null ?? 1 ? 'y' : 'n'", "\"y\""), ("(1 ? 2 : 3) * 10", "20"),
    ])
    func precedence(source: String, expected: String) {
        #expect(run(source) == expected)
    }

    // MARK: Errors

    @Test(arguments: [
        ("", 0, "empty expression"),
        ("   ", 0, "empty expression"),
        ("'abc", 0, "unterminated string literal: expected a closing '"),
        ("a + \"x", 4, "unterminated string literal: expected a closing \""),
        (#"'ends with \'"#, 0, "unterminated string literal"),
        ("a b", 2, "unexpected 'b' after 'a': expected an operator or the end of the expression"),
        ("1 + 2 )", 6, "unexpected ')' after '1 + 2'"),
        ("a == (b", 7, "expected ')' after 'a == (b'"),
        ("(a b", 3, "expected ')' after '(a' but found 'b'"),
        ("a[1", 3, "expected ']' after 'a[1'"),
        ("a ? b", 5, "expected ':' after 'a ? b'"),
        ("1 +", 3, "expected a value (a path, a literal or '(') after '1 +' but reached the end of the expression"),
        ("* 2", 0, "unexpected '*': expected a value"),
        ("a && || b", 5, "unexpected '||' after 'a &&'"),
        ("a.", 2, "expected a property name after 'a.'"),
        ("a.'b'", 2, "expected a property name after 'a.' but found ''b''"),
        ("a.0", 1, "unexpected '.0' after 'a'"),
        ("foo()", 3, "function calls are not supported: unexpected '(' after 'foo'"),
        ("a.b.c(1)", 5, "function calls are not supported"),
        ("state.name.toUpperCase()", 22, "function calls are not supported"),
        ("a?.()", 3, "function calls are not supported"),
        ("(a)(b)", 3, "function calls are not supported"),
        ("a = 1", 2, "assignment is not supported"),
        ("(a = 1)", 3, "assignment is not supported"),
        ("a @ b", 2, "unexpected character '@'"),
        ("a & b", 2, "unexpected '&' after 'a'"),
        ("1abc", 1, "invalid number '1a'"),
        ("1.2.3", 3, "invalid number"),
        ("[1, 2]", 0, "array literals are not supported"),
        ("{a: 1}", 0, "object literals are not supported"),
        (#"'\u{ZZ}'"#, 1, "invalid escape"),
        (#"'\u12'"#, 1, "invalid escape"),
        ("a && b ?? c", 7, "cannot mix '??' with '&&' or '||' without parentheses"),
        ("a ?? b || c", 7, "cannot mix '??'"),
        ("a ?? b && c", 7, "cannot mix '??'"),
        ("a || b ?? c", 7, "cannot mix '??'"),
    ])
    func errors(source: String, offset: Int, message: String) throws {
        let error = try #require(parseError(source), "expected \(source) to fail")
        #expect(error.offset == offset, "\(source): \(error)")
        #expect(error.message.contains(message), "\(source): \(error.message)")
        #expect(error.description == "\(error.message) (at offset \(error.offset))")
    }

    @Test func parenthesizedMixingIsAllowed() {
        #expect(run("(a && b) ?? c") == "undefined")
        #expect(run("(state.count || 1) ?? 2") == "3")
        #expect(run("state.nothing ?? (0 || 'z')") == "\"z\"")
    }

    @Test func nestingLimit() throws {
        let ok = String(repeating: "(", count: 64) + "1" + String(repeating: ")", count: 64)
        #expect(try WorkflowExpression(ok).evaluate(context).map(render) == "1")

        let parens = String(repeating: "(", count: 65) + "1" + String(repeating: ")", count: 65)
        let error = try #require(parseError(parens))
        #expect(error.offset == 64)
        #expect(error.message == "expression is nested too deeply: more than 64 levels")

        #expect(run(String(repeating: "!", count: 64) + "1") == "true")
        #expect(parseError(String(repeating: "!", count: 65) + "a")?.offset == 64)
        #expect(parseError(String(repeating: "a[", count: 65) + "0" + String(repeating: "]", count: 65))?.offset == 129)
        let ternaries = String(repeating: "1 ? ", count: 65) + "2" + String(repeating: " : 3", count: 65)
        #expect(parseError(ternaries)?.offset == 258)
        let mixed = String(repeating: "-(", count: 40) + "1" + String(repeating: ")", count: 40)
        #expect(parseError(mixed)?.message.contains("nested too deeply") == true)
    }

    @Test func lengthLimit() throws {
        // Long flat chains are fine: they are not nesting.
        let chain = String(repeating: "1+", count: 4_999) + "1"
        #expect(chain.count == 9_999)
        #expect(try WorkflowExpression(chain).evaluate(context).map(render) == "5000")
        let logical = String(repeating: "0||", count: 3_000) + "'end'"
        #expect(try WorkflowExpression(logical).evaluate(context).map(render) == "\"end\"")
        let members = "state" + String(repeating: ".x", count: 4_000)
        #expect(try WorkflowExpression(members).evaluate(context) == nil)

        let tooLong = String(repeating: "1+", count: 5_000) + "1"
        let error = try #require(parseError(tooLong))
        #expect(error.offset == 10_000)
        #expect(error.message.contains("too long"))
    }

    @Test func errorEquatable() {
        #expect(ExpressionError(offset: 1, message: "m") == ExpressionError(offset: 1, message: "m"))
        #expect(ExpressionError(offset: 1, message: "m") != ExpressionError(offset: 2, message: "m"))
    }

    // MARK: paths

    @Test(arguments: [
        ("state.secretKeys && args.value", [["state", "secretKeys"], ["args", "value"]]),
        ("result.data", [["result", "data"]]),
        ("runtime.transition.payload.keys", [["runtime", "transition", "payload", "keys"]]),
        ("a[\"b c\"][0].length", [["a", "b c", "0", "length"]]),
        ("a[b.c].d", [["a"], ["b", "c"]]),
        ("a[b[c]]", [["a"], ["b"], ["c"]]),
        ("(x).y", [["x", "y"]]),
        ("(a || b).c", [["a"], ["b"]]),
        ("1 + 2", []),
        ("'state.secretKeys'", []),
        ("a.b == a.b || c", [["a", "b"], ["c"]]),
        ("c ? d.e : f[1]", [["c"], ["d", "e"], ["f", "1"]]),
        ("a?.b?.[0]", [["a", "b", "0"]]),
        ("!x && -y.z", [["x"], ["y", "z"]]),
        ("m ?? n.o", [["m"], ["n", "o"]]),
        ("a.true.null", [["a", "true", "null"]]),
        ("true && null", []),
    ] as [(String, [[String]])])
    func readPaths(source: String, expected: [[String]]) throws {
        #expect(try WorkflowExpression(source).paths == expected)
    }

    @Test func keepsSource() throws {
        #expect(try WorkflowExpression(" a + 1 ").source == " a + 1 ")
    }

    // MARK: Interpolation

    @Test(arguments: [
        ("Hello ${{ args.name }}!", "Hello World!"),
        ("${{ args.name }} has ${{ state.count }} keys", "World has 3 keys"),
        ("${{args.name}}${{state.name}}", "WorldAda"),
        ("x ${{ args.missing }} y ${{ state.nothing }} z", "x  y  z"),
        ("no spans here", "no spans here"),
        ("", ""),
        ("${{ '}}' }}", "}}"),
        ("${{ \"a}}b\" + 'c\\'}}' }}", "a}}bc'}}"),
        ("list: ${{ args.list }}", "list: 10,20,30"),
        ("${{ state.secretKeys[0] }}", "[object Object]"),
        ("${{ state.zero }}/${{ args.flag }}/${{ 1 / 3 }}", "0/true/0.3333333333333333"),
        ("${{ state.count > 2 ? 'many' : 'few' }}", "many"),
        ("$ {{ not }} ${ {x}} {{ y }}", "$ {{ not }} ${ {x}} {{ y }}"),
        ("😀 ${{ args.name }} é", "😀 World é"),
    ])
    func interpolation(text: String, expected: String) throws {
        #expect(try ExpressionInterpolation.interpolate(text, context: context) == expected)
    }

    @Test(arguments: [
        ("Hi ${{ args.name", 3, "unterminated '${{'"),
        ("ok ${{ a }} ${{ b", 12, "unterminated '${{'"),
        ("${{ 'a }}", 0, "unterminated '${{'"),
        ("😀 ${{", 2, "unterminated '${{'"),
        ("Hi ${{ a + }}", 10, "expected a value"),
        ("Hi ${{  foo() }}", 11, "function calls are not supported"),
        ("${{ }}", 4, "empty expression"),
    ])
    func interpolationErrors(text: String, offset: Int, message: String) {
        do {
            _ = try ExpressionInterpolation.interpolate(text, context: context)
            Issue.record("expected \(text) to fail")
        } catch {
            #expect(error.offset == offset, "\(text): \(error)")
            #expect(error.message.contains(message), "\(text): \(error.message)")
        }
    }

    @Test func spans() throws {
        let text = "a ${{ x.y }} b ${{'}}'}} c"
        let spans = try ExpressionInterpolation.spans(in: text)
        #expect(spans.count == 2)
        #expect(spans.map { String(text[$0.range]) } == ["${{ x.y }}", "${{'}}'}}"])
        #expect(spans.map(\.source) == ["x.y", "'}}'"])
        #expect(try ExpressionInterpolation.spans(in: "plain").isEmpty)
        #expect(throws: ExpressionError(offset: 2, message: "unterminated '${{': expected '}}' to close it")) {
            try ExpressionInterpolation.spans(in: "a ${{ x")
        }
    }

    @Test(arguments: [
        ("${{ state.secretKeys }}", "state.secretKeys"),
        ("  ${{ a }}  \n", "a"),
        ("\t${{a == 1}}", "a == 1"),
        ("${{ '}}' }}", "'}}'"),
        ("${{}}", ""),
    ] as [(String, String?)])
    func wholeExpressionDetected(text: String, expected: String?) {
        #expect(ExpressionInterpolation.wholeExpression(text) == expected)
    }

    @Test(arguments: ["x ${{ a }}", "${{ a }} x", "${{ a }} ${{ b }}", "${{ a }}${{ b }}", "${{ a", "plain", "", "{{ a }}"])
    func wholeExpressionRejected(text: String) {
        #expect(ExpressionInterpolation.wholeExpression(text) == nil)
    }

    // MARK: Fuzz

    @Test func randomTokenStringsNeverCrash() {
        let pieces = ["a", "b.c", "state", ".", "?.", "length", "[", "]", "(", ")", "1", "2.5", "0", "-", "+", "*", "/",
                      "%", "!", "<", "<=", ">", ">=", "==", "!=", "===", "!==", "&&", "||", "??", "?", ":", "'s'",
                      "\"t\"", "'", "\"", "\\", "true", "false", "null", "undefined", "x()", "=", "&", "@", " ",
                      "${{", "}}", "{", "}", "e", "1e", ".5", "\\u", "😀", ","]
        var rng = SplitMix64(seed: 0x5EA1)
        var parsed = 0
        for _ in 0..<2_000 {
            let count = Int(rng.next() % 24)
            var source = ""
            for _ in 0..<count { source += pieces[Int(rng.next() % UInt64(pieces.count))] }
            do {
                let expression = try WorkflowExpression(source)
                _ = try expression.evaluate(context)
                _ = expression.paths
                parsed += 1
            } catch {
                #expect(error.offset >= 0 && error.offset <= source.count, "\(source): \(error)")
                #expect(!error.message.isEmpty)
            }
            do {
                _ = try ExpressionInterpolation.interpolate("x ${{ \(source) }} y", context: context)
            } catch {
                #expect(error.offset >= 0 && error.offset <= source.count + 12, "\(source): \(error)")
            }
            _ = ExpressionInterpolation.wholeExpression(source)
        }
        #expect(parsed > 0)
    }
}

/// A small deterministic generator for the fuzz test.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
