import MCP
import Testing
@testable import LoopsealMCP

/// Reading tool arguments by name: types, absence, explicit null, and errors naming the field.
@Suite("MCP tool arguments")
struct ToolArgumentsTests {
    private func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as ToolCallError { return error.message } catch { return "unexpected \(error)" }
        return nil
    }

    @Test("an unknown argument is refused, naming it and the expected ones")
    func unknownArgument() {
        let text = message { _ = try ToolArguments(tool: "start_run", values: ["workflw": "x"], allowed: ["workflow", "input", "workspace"]) }
        #expect(text == "start_run: unknown argument 'workflw' (expected: input, workflow, workspace)")
        let none = message { _ = try ToolArguments(tool: "t", values: ["a": 1], allowed: []) }
        #expect(none == "t: unknown argument 'a' (it takes no arguments)")
    }

    @Test("an unknown argument's name is shown bounded and without control characters")
    func unknownArgumentIsPrintable() throws {
        let name = "bad\u{1b}[31m\n" + String(repeating: "x", count: 200)
        let text = try #require(message { _ = try ToolArguments(tool: "t", values: [name: 1], allowed: ["ok"]) })
        #expect(!text.contains("\u{1b}") && !text.contains("\n"))
        #expect(text.count < 150)
        #expect(text.hasPrefix("t: unknown argument 'bad?[31m?x"))
    }

    @Test("typed readers return values, treat absence and null alike, and name a mistyped field")
    func typedReaders() throws {
        let arguments = try ToolArguments(tool: "t", values: [
            "name": "n", "flag": true, "object": ["a": 1], "list": [1, 2], "nothing": .null,
        ], allowed: ["name", "flag", "object", "list", "nothing", "absent"])
        #expect(try arguments.string("name") == "n")
        #expect(try arguments.bool("flag", default: false))
        #expect(try arguments.object("object")?["a"] == .int(1))
        #expect(try arguments.array("list") == [.int(1), .int(2)])
        #expect(arguments.value("nothing") == nil)
        #expect(try arguments.string("nothing") == nil)
        #expect(try arguments.string("absent") == nil)
        #expect(try arguments.bool("nothing", default: true))
        #expect(try arguments.object("absent") == nil)
        #expect(try arguments.array("absent") == nil)

        #expect(message { _ = try arguments.string("flag") } == "t: 'flag' must be a string")
        #expect(message { _ = try arguments.bool("name", default: false) } == "t: 'name' must be true or false")
        #expect(message { _ = try arguments.object("list") } == "t: 'list' must be a JSON object")
        #expect(message { _ = try arguments.array("object") } == "t: 'object' must be an array")
    }

    @Test("a required string must be present and not empty; the hint says what to pass")
    func requiredString() throws {
        let arguments = try ToolArguments(tool: "start_run", values: ["workflow": ""], allowed: ["workflow"])
        #expect(message { _ = try arguments.requiredString("workflow", hint: "a workflow name") } == "start_run: 'workflow' is required: a workflow name")
        let absent = try ToolArguments(tool: "start_run", values: nil, allowed: ["workflow"])
        #expect(message { _ = try absent.requiredString("workflow", hint: "a workflow name") } == "start_run: 'workflow' is required: a workflow name")
        let present = try ToolArguments(tool: "start_run", values: ["workflow": "deploy"], allowed: ["workflow"])
        #expect(try present.requiredString("workflow", hint: "") == "deploy")
    }

    @Test("request_secrets keys: names or {key, description}, each valid, none twice")
    func requestedKeys() throws {
        func variables(_ keys: Value) throws -> String {
            let arguments = try ToolArguments(tool: "request_secrets", values: ["keys": keys], allowed: ["keys"])
            return TemplateValueText.of(try RequestSecretsHandler.variables(arguments))
        }
        #expect(try variables(["API_KEY", ["key": "DB_URL", "description": "the database"], ["key": "X", "description": .null]])
            == #"[{"key":"API_KEY"},{"key":"DB_URL","description":"the database"},{"key":"X"}]"#)
        #expect(message { _ = try variables([]) }?.hasPrefix("request_secrets: 'keys' is required: a list of key names") == true)
        #expect(message { _ = try variables("API_KEY") } == "request_secrets: 'keys' must be an array")
        #expect(message { _ = try variables([1]) } == "request_secrets: 'keys[0]' must be a key name or an object {key, description}")
        #expect(message { _ = try variables(["A", ["key": "B", "value": "v"]]) } == "request_secrets: 'keys[1]' has unknown field 'value' (expected: key, description)")
        #expect(message { _ = try variables([["description": "d"]]) } == "request_secrets: 'keys[0].key' is required and must be a string")
        #expect(message { _ = try variables([["key": "A", "description": 3]]) } == "request_secrets: 'keys[0].description' must be a string")
        #expect(message { _ = try variables(["A", "A"]) } == "request_secrets: 'keys[1]': A is listed twice")
        let invalid = try #require(message { _ = try variables(["not a key"]) })
        #expect(invalid.hasPrefix("request_secrets: 'keys[0]': "))
    }
}
