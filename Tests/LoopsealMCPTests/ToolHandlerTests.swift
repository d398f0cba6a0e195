import Foundation
import LoopsealStore
import LoopsealWorkflows
import MCP
import Testing
@testable import LoopsealMCP

/// The tools called in-process on a temporary root: results hold names, flags and links, errors
/// name the argument at fault, and no result ever holds a secret value.
@Suite("MCP tool handlers")
struct ToolHandlerTests {
    @Test("the nine tools are listed, each accepting `workspace`; a call may name one in camelCase")
    func definitions() throws {
        let tools = try MCPScratch().tools()
        #expect(tools.definitions.map(\.name) == [
            "get_secret_keys", "list_workflows", "start_run", "get_run", "request_secrets", "request_secrets_task", "sync_secrets",
            "list_due_secrets", "remind_owners",
        ])
        #expect(tools.toolName("requestSecretsTask") == "request_secrets_task")
        #expect(tools.toolName("getSecretKeys") == "get_secret_keys")
        #expect(tools.toolName("get_run") == "get_run")
        #expect(tools.toolName("RequestSecretsTask") == nil)
        #expect(tools.toolName("request-secrets-task") == nil)
        for tool in tools.definitions {
            #expect(ToolDefinitions.argumentNames(of: tool).contains("workspace"), "\(tool.name)")
        }
        #expect(Set(ToolDefinitions.argumentNames(of: ToolDefinitions.startRun)) == ["workflow", "input", "workspace"])
    }

    @Test("get_secret_keys lists names and flags, never the value")
    func secretKeys() async throws {
        let scratch = try MCPScratch()
        let result = await scratch.tools().call("get_secret_keys", arguments: nil)
        #expect(result.isError == false, "\(result.text)")
        #expect(result.structured["workspace"] == "app")
        #expect(result.structured["keys"] == [["key": "CANARY_TOKEN", "hasValue": true]])
        #expect(result.text == result.structuredContent?.jsonText)
        #expect(!result.wire.contains(scratch.canary))
    }

    @Test("get_secret_keys calls the handler directly with the same result")
    func secretKeysDirect() throws {
        let scratch = try MCPScratch()
        let arguments = try ToolArguments(tool: "get_secret_keys", values: ["workspace": "app"], allowed: ["workspace"])
        let outcome = try GetSecretKeysHandler().call(arguments, context: scratch.context())
        #expect(outcome.failure == nil)
        #expect(outcome.data == ["workspace": "app", "keys": [["key": "CANARY_TOKEN", "hasValue": true]]])
    }

    @Test("list_workflows names the root's workflows and the built-in request-secrets, with file, title and description")
    func workflows() async throws {
        let scratch = try MCPScratch()
        let result = await scratch.tools().call("list_workflows", arguments: ["workspace": "app"])
        let names = result.structured["workflows"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue }
        #expect(names == ["request-secrets", "rotate-secret", "rotate-secrets", "secrets-example"], "\(result.text)")
        let files = result.structured["workflows"]?.arrayValue?.compactMap { $0.objectValue?["file"]?.stringValue }
        #expect(files == ["<built-in>/request-secrets.yaml", "<built-in>/rotate-secret.yaml", "<built-in>/rotate-secrets.yaml", "workflows/secrets-example.yaml"], "\(result.text)")
        #expect(result.structured["workflows"]?.arrayValue?.first?.objectValue?["title"] == "Request secrets")
    }

    @Test("a repository's own workflows/request-secrets.yaml overrides the built-in one")
    func ownRequestSecrets() async throws {
        let scratch = try MCPScratch()
        let own = """
            title: Our request
            transitions:
              - id: ask
                from: start
                to: asking
                call:
                  - tool: request_secrets
                    args: { variables: "${{ args.variables }}" }
              - { id: done, from: asking, to: end, wait: true }

            """
        try FileIO.writeAtomically(Array(own.utf8), to: "\(scratch.root)/workflows/request-secrets.yaml")
        let tools = scratch.tools()
        let listed = await tools.call("list_workflows", arguments: nil)
        #expect(listed.structured["workflows"]?.arrayValue?.first == ["name": "request-secrets", "file": "workflows/request-secrets.yaml",
                                                                        "title": "Our request"], "\(listed.text)")
        let requested = await tools.call("request_secrets", arguments: ["keys": ["OWN_KEY"]])
        #expect(requested.isError == false, "\(requested.text)")
        let run = try RunService(workspace: scratch.workspace).load(runID: try #require(requested.structured["runId"]?.stringValue))
        #expect(run.workflowFile == "workflows/request-secrets.yaml")
        #expect(run.place == "asking")
    }

    @Test("request_secrets starts a waiting run and returns its link, never a value")
    func requestSecrets() async throws {
        let scratch = try MCPScratch()
        let tools = scratch.tools()
        let result = await tools.call("request_secrets", arguments: ["keys": ["NEW_TOKEN", ["key": "DB_URL", "description": "Main database"]]])
        #expect(result.isError == false, "\(result.text)")
        let runID = try #require(result.structured["runId"]?.stringValue)
        #expect(result.structured["status"] == "waiting")
        #expect(result.structured["requestedKeys"] == ["NEW_TOKEN", "DB_URL"])
        #expect(result.structured["link"]?.stringValue == "http://loopseal.test:9000/workspaces/app/runs/\(runID)")
        #expect(Set(result.structured.keys) == ["runId", "workspace", "status", "requestedKeys", "link"])
        #expect(!result.wire.contains(scratch.canary))
        let keys = await tools.call("get_secret_keys", arguments: nil)
        #expect(keys.structured["keys"] == [
            ["key": "CANARY_TOKEN", "hasValue": true], ["key": "DB_URL", "hasValue": false], ["key": "NEW_TOKEN", "hasValue": false],
        ])
    }

    @Test("request_secrets in a repository with no workflows/ folder runs the built-in request-secrets")
    func requestSecretsWithoutWorkflow() async throws {
        let scratch = try MCPScratch(workflows: false)
        let result = await scratch.tools().call("request_secrets", arguments: ["keys": ["A_KEY"]])
        #expect(result.isError == false, "\(result.text)")
        #expect(result.structured["status"] == "waiting")
        #expect(result.structured["requestedKeys"] == ["A_KEY"])
        let workflows = await scratch.tools().call("list_workflows", arguments: nil)
        #expect(workflows.text.contains("<built-in>/request-secrets.yaml"), "\(workflows.text)")
    }

    @Test("start_run waits for a person and reports the keys it requested and its page")
    func startRun() async throws {
        let scratch = try MCPScratch()
        let result = await scratch.tools().call("start_run", arguments: ["workflow": "secrets-example", "input": ["note": "unit"]])
        #expect(result.isError == false, "\(result.text)")
        let runID = try #require(result.structured["id"]?.stringValue)
        #expect(result.structured["status"] == "waiting")
        #expect(result.structured["waitingFor"] == ["secrets_submitted"])
        #expect(result.structured["requestedKeys"] == ["EXAMPLE_API_KEY", "EXAMPLE_SECRET"])
        #expect(result.structured["link"]?.stringValue == "http://loopseal.test:9000/workspaces/app/runs/\(runID)")
        #expect(!result.wire.contains(scratch.canary))
    }

    @Test("errors are tool results naming the tool, workspace or argument at fault")
    func errors() async throws {
        let scratch = try MCPScratch()
        let tools = scratch.tools()
        let cases: [(String, [String: Value]?, String)] = [
            ("reveal_secret", ["key": "CANARY_TOKEN"],
             "unknown tool 'reveal_secret' (tools: get_secret_keys, list_workflows, start_run, get_run, request_secrets, request_secrets_task, sync_secrets, list_due_secrets, remind_owners)"),
            ("list_workflows", ["verbose": true], "list_workflows: unknown argument 'verbose' (expected: workspace)"),
            ("get_secret_keys", ["workspace": "nope"], "get_secret_keys: 'workspace': nope is not a workspace under \(scratch.root)/workspaces (known: app)"),
            ("get_secret_keys", ["workspace": "../app"], "get_secret_keys: 'workspace': ../app is not a workspace under"),
            ("get_secret_keys", ["workspace": 3], "get_secret_keys: 'workspace' must be a string"),
            ("start_run", [:], "start_run: 'workflow' is required: a workflow name from list_workflows"),
            ("start_run", ["workflow": "no-such-flow"], "start_run: 'workflow': no workflow named 'no-such-flow' (known: request-secrets, rotate-secret, rotate-secrets, secrets-example)"),
            ("start_run", ["workflow": "secrets-example", "input": 5], "start_run: 'input' must be a JSON object"),
            ("request_secrets", ["keys": ["OK_KEY", "bad key"]], "request_secrets: 'keys[1]': "),
            ("sync_secrets", ["dryRun": "yes"], "sync_secrets: 'dryRun' must be true or false"),
            ("sync_secrets", nil, "sync_secrets needs an identity to decrypt the secrets, and none was found"),
        ]
        for (tool, arguments, expected) in cases {
            let result = await tools.call(tool, arguments: arguments)
            #expect(result.isError == true, "\(tool) \(String(describing: arguments)) did not fail: \(result.text)")
            #expect(result.text.hasPrefix(expected), "\(tool) \(String(describing: arguments)): \(result.text)")
            #expect(result.structuredContent == nil, "\(tool): an argument error has no data")
            #expect(!result.wire.contains(scratch.canary))
        }
        let keys = await tools.call("get_secret_keys", arguments: nil)
        #expect(keys.structured["keys"] == [["key": "CANARY_TOKEN", "hasValue": true]], "a refused request declared a key")
    }

    @Test("with several workspaces `workspace` is required; --workspace picks one")
    func severalWorkspaces() async throws {
        let scratch = try MCPScratch()
        try scratch.addWorkspace("other")
        let ambiguous = await scratch.tools().call("get_secret_keys", arguments: nil)
        #expect(ambiguous.isError == true)
        #expect(ambiguous.text == "get_secret_keys: 'workspace' is required: there are several workspaces (app, other)")
        let chosen = await scratch.tools(workspace: "other").call("get_secret_keys", arguments: nil)
        #expect(chosen.structured["workspace"] == "other", "\(chosen.text)")
        #expect(chosen.structured["keys"] == [])
        let named = await scratch.tools(workspace: "other").call("get_secret_keys", arguments: ["workspace": "app"])
        #expect(named.structured["workspace"] == "app", "\(named.text)")
    }

    @Test("sync_secrets writes the value to the target and reports only key names")
    func syncSecrets() async throws {
        let scratch = try MCPScratch()
        let tools = scratch.tools(identityFiles: [try scratch.identityFile()])

        let refused = await tools.call("sync_secrets", arguments: ["dryRun": true])
        #expect(refused.isError == true)
        #expect(refused.text.hasPrefix("sync_secrets: 1 target failed: "), "\(refused.text)")
        let plan = try #require(refused.structured["targets"]?.arrayValue?.first?.objectValue, "\(refused.text)")
        #expect(plan["status"] == "would be refused")
        #expect(plan["added"] == ["CANARY_TOKEN"])
        #expect(!FileManager.default.fileExists(atPath: scratch.targetFile), "a dry run wrote the target")

        try FileManager.default.createDirectory(atPath: "\(scratch.root)/deploy", withIntermediateDirectories: true)
        let synced = await tools.call("sync_secrets", arguments: nil)
        #expect(synced.isError == false, "\(synced.text)")
        #expect(synced.structured["targets"] == [[
            "name": "app-env", "type": "file", "status": "written", "written": true, "needsWrite": true, "drifted": false,
            "added": ["CANARY_TOKEN"], "changed": [], "removed": [], "keyCount": 1,
        ]])
        #expect(synced.structured["failures"] == [])
        let written = try String(contentsOfFile: scratch.targetFile, encoding: .utf8)
        #expect(written.contains(scratch.canary), "the target did not get the value, so the leak check below means nothing")
        #expect(!synced.wire.contains(scratch.canary))

        let again = await tools.call("sync_secrets", arguments: nil)
        #expect(again.structured["targets"]?.arrayValue?.first?.objectValue?["status"] == "unchanged")
        #expect(!again.wire.contains(scratch.canary))
    }

    @Test("canary: no result of any tool, good or bad, holds a secret value")
    func canary() async throws {
        let scratch = try MCPScratch()
        try FileManager.default.createDirectory(atPath: "\(scratch.root)/deploy", withIntermediateDirectories: true)
        let tools = scratch.tools(identityFiles: [try scratch.identityFile()])
        let calls: [(String, [String: Value]?)] = [
            ("get_secret_keys", nil), ("list_workflows", nil),
            ("start_run", ["workflow": "secrets-example", "input": ["note": "canary"]]),
            ("request_secrets", ["keys": ["CANARY_TOKEN", "OTHER"]]),
            ("sync_secrets", ["dryRun": true]), ("sync_secrets", nil), ("sync_secrets", nil),
            ("start_run", ["workflow": "CANARY_TOKEN"]), ("request_secrets", ["keys": ["CANARY_TOKEN", "CANARY_TOKEN"]]),
            ("get_secret_keys", ["CANARY_TOKEN": true]),
        ]
        var seen = 0
        for (tool, arguments) in calls {
            let result = await tools.call(tool, arguments: arguments)
            seen += result.wire.utf8.count
            #expect(!result.wire.contains(scratch.canary), "\(tool) returned the value")
        }
        #expect(try String(contentsOfFile: scratch.targetFile, encoding: .utf8).contains(scratch.canary), "nothing was decrypted")
        #expect(seen > 1000, "too little output to mean anything")
    }
}
