import Foundation
import LoopsealCrypto
import LoopsealStore
import LoopsealWorkflows
import MCP
import Testing
@testable import LoopsealMCP

/// `request_secrets_task` (the seed's agent-friendly request: pending, then completed with the
/// seed's text once a person filled it) and `get_run` (a run with its links to parent and
/// children), called in-process. No value a person fills ever reaches a result or a run file.
@Suite("MCP request_secrets_task and get_run")
struct RequestSecretsTaskTests {
    static let seedText = "Secrets have been stored securely by the user."

    @Test("request_secrets_task is pending until a person fills the request, then completed with the seed's text, never a value")
    func pendingThenCompleted() async throws {
        let scratch = try MCPScratch(workflows: false)
        let tools = scratch.tools()
        let started = await tools.call("request_secrets_task", arguments: [
            "variables": [["key": "TASK_KEY", "description": "The task's key"], ["key": "TASK_CERT"]],
        ])
        #expect(started.isError == false, "\(started.text)")
        let id = try #require(started.structured["workflowId"]?.stringValue)
        let link = Value.string("http://loopseal.test:9000/workspaces/app/runs/\(id)")
        #expect(started.structuredContent == [
            "workflowId": .string(id), "workspace": "app", "status": "pending", "requestedKeys": ["TASK_KEY", "TASK_CERT"],
            "missingKeys": ["TASK_KEY", "TASK_CERT"], "link": link,
        ])
        #expect(started.text == started.structuredContent?.jsonText)

        // Asked again before anyone filled it (camelCase, as workflow files may spell it): still pending.
        let waiting = await tools.call("requestSecretsTask", arguments: ["workflowId": .string(id)])
        #expect(waiting.isError == false, "\(waiting.text)")
        #expect(waiting.structured["status"] == "pending")
        #expect(waiting.structured["result"] == nil)

        // A person fills the request (as the web page and `run resume --fill` do), a multi-line value included.
        let values = ["CANARY-task-\(UUID().uuidString)", "-----BEGIN CANARY-----\nCANARY-task-line-\(UUID().uuidString)\n-----END-----"]
        let runs = RunService(workspace: scratch.workspace)
        let filled = try runs.provideSecrets(runID: id, values: [
            (key: "TASK_KEY", value: try SecureBytes(copying: Array(values[0].utf8))),
            (key: "TASK_CERT", value: try SecureBytes(copying: Array(values[1].utf8))),
        ])
        #expect(filled.status == .completed)

        let done = await tools.call("request_secrets_task", arguments: ["workflowId": .string(id), "workspace": "app"])
        #expect(done.isError == false, "\(done.text)")
        #expect(done.structuredContent == [
            "workflowId": .string(id), "workspace": "app", "status": "completed", "result": .string(Self.seedText),
            "requestedKeys": ["TASK_KEY", "TASK_CERT"], "missingKeys": [], "link": link,
        ])
        #expect(RequestSecretsTaskTool.completionMessage == Self.seedText)
        let keys = await tools.call("get_secret_keys", arguments: nil)
        #expect(keys.structured["keys"] == [
            ["key": "CANARY_TOKEN", "hasValue": true], ["key": "TASK_CERT", "hasValue": true], ["key": "TASK_KEY", "hasValue": true],
        ])
        let stored = try SecretService(workspace: scratch.workspace).reveal(key: "TASK_CERT", identities: [scratch.alice])
        #expect(stored.withUnsafeBytes { Array($0) } == Array(values[1].utf8), "the value was not stored, so the checks below mean nothing")

        let shown = await tools.call("get_run", arguments: ["runId": .string(id)])
        for result in [started, waiting, done, keys, shown] {
            for value in values + [scratch.canary] { #expect(!result.wire.contains(value), "a value in \(result.wire)") }
        }
        let files = try scratch.allFiles()
        #expect(files.contains { $0.path == scratch.runFile(id) })
        for file in files {
            for value in values + [scratch.canary] + values[1].split(separator: "\n").map(String.init) {
                #expect(!file.text.contains(value), "a value in \(file.path)")
            }
        }
    }

    @Test("request_secrets_task refuses bad variables, unknown runs and runs of other workflows, naming the field")
    func refusals() async throws {
        let scratch = try MCPScratch()
        let tools = scratch.tools()
        let other = await tools.call("start_run", arguments: ["workflow": "secrets-example"])
        let otherID = try #require(other.structured["id"]?.stringValue)
        let cases: [([String: Value]?, String)] = [
            (nil, "request_secrets_task: 'variables' is required: a list like [{\"key\": \"API_KEY\""),
            (["variables": []], "request_secrets_task: 'variables' is required"),
            (["variables": "API_KEY"], "request_secrets_task: 'variables' must be an array"),
            (["variables": ["API_KEY"]], "request_secrets_task: 'variables[0]' must be an object {key, description}"),
            (["variables": [["key": "OK_KEY"], ["key": "bad key"]]], "request_secrets_task: 'variables[1]': invalid secret key 'bad key'"),
            (["variables": [["key": "../etc"]]], "request_secrets_task: 'variables[0]': invalid secret key"),
            (["variables": [["key": "TWICE"], ["key": "TWICE"]]], "request_secrets_task: 'variables[1]': TWICE is listed twice"),
            (["variables": [["key": "A", "value": .string(scratch.canary)]]],
             "request_secrets_task: 'variables[0]' has unknown field 'value' (expected: key, description)"),
            (["variables": [["description": "no key"]]], "request_secrets_task: 'variables[0].key' is required and must be a string"),
            (["keys": ["A"]], "request_secrets_task: unknown argument 'keys' (expected: variables, workflowId, workspace)"),
            (["variables": [["key": "A"]], "workflowId": .string(otherID)],
             "request_secrets_task: give 'variables' to start a request, or 'workflowId' to ask about one, not both"),
            (["workflowId": ""], "request_secrets_task: 'workflowId' is empty"),
            (["workflowId": "0123456789ab"], "request_secrets_task: 'workflowId': no run '0123456789ab' in workspace app"),
            (["workflowId": "../../x"], "request_secrets_task: 'workflowId': no run '../../x' in workspace app"),
            (["workflowId": .string(otherID)],
             "request_secrets_task: 'workflowId': run \(otherID) is a run of workflow 'secrets-example', not a secret request: ask get_run about it"),
            (["workflowId": 5], "request_secrets_task: 'workflowId' must be a string"),
            (["variables": [["key": "A"]], "workspace": "nope"], "request_secrets_task: 'workspace': nope is not a workspace under"),
        ]
        for (arguments, expected) in cases {
            let result = await tools.call("request_secrets_task", arguments: arguments)
            #expect(result.isError == true, "\(String(describing: arguments)) did not fail: \(result.text)")
            #expect(result.text.hasPrefix(expected), "\(String(describing: arguments)): \(result.text)")
            #expect(result.structuredContent == nil)
            #expect(!result.wire.contains(scratch.canary))
        }
        let keys = await tools.call("get_secret_keys", arguments: nil)
        #expect(keys.structured["keys"]?.arrayValue?.compactMap { $0.objectValue?["key"]?.stringValue }
            == ["CANARY_TOKEN", "EXAMPLE_API_KEY", "EXAMPLE_SECRET"], "a refused request declared a key")
    }

    @Test("a failed secret request is a tool error naming the run")
    func failedRequest() async throws {
        let scratch = try MCPScratch(workflows: false)
        try FileManager.default.createDirectory(atPath: "\(scratch.root)/workflows", withIntermediateDirectories: true)
        let failing = """
            title: A request that fails when given up
            transitions:
              - id: ask
                from: start
                to: asking
                call:
                  - tool: request_secrets
                    args: { variables: "${{ args.variables }}" }
              - id: give_up
                from: asking
                to: end
                wait: true
                call:
                  - tool: create_document
                    args: { document: markdown, template: "${{ args.variables[0].key }}.md" }

            """
        try FileIO.writeAtomically(Array(failing.utf8), to: "\(scratch.root)/workflows/request-secrets.yaml")
        let tools = scratch.tools()
        let started = await tools.call("request_secrets_task", arguments: ["variables": [["key": "GIVEN_UP"]]])
        let id = try #require(started.structured["workflowId"]?.stringValue, "\(started.text)")
        #expect(started.structured["status"] == "pending")
        let failed = try RunService(workspace: scratch.workspace).fire(runID: id, transition: "give_up")
        #expect(failed.status == .failed)
        let error = try #require(failed.error)

        let asked = await tools.call("request_secrets_task", arguments: ["workflowId": .string(id)])
        #expect(asked.isError == true)
        #expect(asked.text.hasPrefix("request_secrets_task: the secret request \(id) (workflow workflows/request-secrets.yaml) failed: \(error)"),
                "\(asked.text)")
        #expect(asked.structured["status"] == "failed")
        #expect(asked.structured["error"] == .string(error))
        #expect(asked.structured["result"] == nil)
    }

    @Test("get_run links a pending parent and its child both ways, and finishes a parent a crash left pending")
    func getRunLinks() async throws {
        let scratch = try MCPScratch()
        try scratch.copyAgentExample()
        let tools = scratch.tools()
        let started = await tools.call("start_run", arguments: ["workflow": "agent-secrets-example"])
        #expect(started.isError == false, "\(started.text)")
        let parent = try #require(started.structured["id"]?.stringValue)
        #expect(started.structured["status"] == "pending")
        let pendingOn = try #require(started.structured["pendingOn"]?.objectValue, "\(started.text)")
        let child = try #require(pendingOn["id"]?.stringValue)
        let link = { (id: String) in Value.string("http://loopseal.test:9000/workspaces/app/runs/\(id)") }
        #expect(pendingOn == ["id": .string(child), "workflow": "request-secrets", "link": link(child)])

        let parentShown = await tools.call("get_run", arguments: ["runId": .string(parent)])
        #expect(parentShown.isError == false, "\(parentShown.text)")
        #expect(parentShown.structuredContent == [
            "id": .string(parent), "workflow": "agent-secrets-example", "workspace": "app", "status": "pending",
            "place": "start", "waitingFor": [], "requestedKeys": [], "missingKeys": [], "link": link(parent), "parent": .null,
            "children": [["id": .string(child), "workflow": "request-secrets", "transition": "request_secrets", "show": "inline",
                          "link": link(child), "status": "waiting"]],
            "pendingOn": .object(pendingOn),
        ])
        let childShown = await tools.call("getRun", arguments: ["runId": .string(child), "workspace": "app"])
        #expect(childShown.structuredContent == [
            "id": .string(child), "workflow": "request-secrets", "workspace": "app", "status": "waiting", "place": "requesting",
            "waitingFor": ["secrets_submitted"], "requestedKeys": ["AGENT_API_KEY", "AGENT_WEBHOOK_SECRET"],
            "missingKeys": ["AGENT_API_KEY", "AGENT_WEBHOOK_SECRET"], "link": link(child),
            "parent": ["id": .string(parent), "transition": "request_secrets", "link": link(parent)],
            "children": [], "pendingOn": .null,
        ], "\(childShown.text)")

        // The child completes, but the parent's file is as a crash before the callback left it.
        let pendingParent = try Data(contentsOf: URL(fileURLWithPath: scratch.runFile(parent)))
        let values = ["CANARY-agent-\(UUID().uuidString)", "CANARY-hook-\(UUID().uuidString)\nsecond line"]
        let runs = RunService(workspace: scratch.workspace)
        _ = try runs.provideSecrets(runID: child, values: [
            (key: "AGENT_API_KEY", value: try SecureBytes(copying: Array(values[0].utf8))),
            (key: "AGENT_WEBHOOK_SECRET", value: try SecureBytes(copying: Array(values[1].utf8))),
        ])
        #expect(try runs.load(runID: parent).status == .completed, "the callback did not resume the parent")
        try pendingParent.write(to: URL(fileURLWithPath: scratch.runFile(parent)))
        #expect(try runs.load(runID: parent).status == .pending)

        let converged = await tools.call("get_run", arguments: ["runId": .string(parent)])
        #expect(converged.structured["status"] == "completed", "\(converged.text)")
        #expect(converged.structured["place"] == "end")
        #expect(converged.structured["pendingOn"] == .null)
        #expect(converged.structured["children"]?.arrayValue?.first?.objectValue?["status"] == "completed")
        let resumed = try runs.load(runID: parent)
        #expect(Value(resumed.state.property("taskResult") ?? .null) == .string(Self.seedText))
        #expect(resumed.history.map(\.transition) == ["request_secrets", "verify", "show_result"], "resumed more than once?")
        let again = await tools.call("get_run", arguments: ["runId": .string(parent)])
        #expect(again.structuredContent == converged.structuredContent)
        #expect(try runs.load(runID: parent).history.count == 3)

        for result in [started, parentShown, childShown, converged] {
            for value in values { #expect(!result.wire.contains(value)) }
            #expect(!result.wire.contains("\"state\""), "get_run shows the run's state")
        }
        for file in try scratch.allFiles() {
            for value in values { #expect(!file.text.contains(value), "a value in \(file.path)") }
        }
    }

    @Test("get_run refuses a missing or unknown run id, naming runId")
    func getRunRefusals() async throws {
        let scratch = try MCPScratch()
        let tools = scratch.tools()
        let cases: [([String: Value]?, String)] = [
            (nil, "get_run: 'runId' is required: a run id from start_run, request_secrets or request_secrets_task"),
            (["runId": "feedfeedfeed"], "get_run: 'runId': no run 'feedfeedfeed' in workspace app"),
            (["runId": "A B"], "get_run: 'runId': no run 'A B' in workspace app"),
            (["runId": 3], "get_run: 'runId' must be a string"),
            (["runId": "x", "verbose": true], "get_run: unknown argument 'verbose' (expected: runId, workspace)"),
        ]
        for (arguments, expected) in cases {
            let result = await tools.call("get_run", arguments: arguments)
            #expect(result.isError == true, "\(String(describing: arguments))")
            #expect(result.text.hasPrefix(expected), "\(String(describing: arguments)): \(result.text)")
        }
    }
}
