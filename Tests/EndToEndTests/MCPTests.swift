import Foundation
import LoopsealSystem
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `loopseal mcp` driven by a scripted JSON-RPC 2.0 client over its stdin and stdout: the tool
/// list, every tool with good and bad arguments, and no secret value in any byte it writes.
@Suite("mcp")
struct MCPTests {
    static let toolNames: Set<String> = [
        "get_secret_keys", "list_workflows", "start_run", "get_run", "request_secrets", "request_secrets_task", "sync_secrets",
        "list_due_secrets", "remind_owners",
    ]

    /// A workspace `app` (recipient alice) with a file target, the repository's secrets example
    /// (request-secrets is built in), and a canary secret.
    static func prepared() throws -> (Sandbox, Sandbox.Key, canary: String) {
        let box = try Sandbox("mcp")
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try writeBytes(Array("""
            workspace: app
            recipients:
              alice: \(alice.publicKey)
            targets:
              - { name: app-env, type: file, path: ../../deploy/app.env }

            """.utf8), to: "\(box.workspaceDir("app"))/workspace.yaml")
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("workflows").path
        try FileManager.default.createDirectory(atPath: "\(box.root)/workflows/templates", withIntermediateDirectories: true)
        for file in ["secrets-example.yaml", "secrets-example.ui.yaml", "templates/secretsVerified.md"] {
            try FileManager.default.copyItem(atPath: "\(repository)/\(file)", toPath: "\(box.root)/workflows/\(file)")
        }
        let canary = "CANARY-mcp-\(UUID().uuidString)"
        try box.set("CANARY_TOKEN", canary)
        return (box, alice, canary)
    }

    @Test("a scripted client lists the tools, calls each, and never receives a value")
    func everyTool() throws {
        let (box, _, canary) = try Self.prepared()
        defer { box.remove() }
        let filled = ["CANARY-fill-\(UUID().uuidString)", "CANARY-fill-\(UUID().uuidString)"]

        let client = try MCPClient(box, ["mcp", "--server-url", "http://loopseal.test:9000/"], env: ["LOOPSEAL_LOG_LEVEL": "trace"])
        let initialized = try client.initialize()
        #expect((initialized["serverInfo"] as? [String: Any])?["name"] as? String == "loopseal")
        #expect((initialized["capabilities"] as? [String: Any])?["tools"] != nil)
        #expect((initialized["instructions"] as? String)?.contains("never return a secret value") == true)

        // tools/list: the nine tools, each with an object schema that refuses unknown arguments.
        let listed = try client.request("tools/list", [:])
        let tools = try #require(listed["tools"] as? [[String: Any]])
        #expect(Set(tools.compactMap { $0["name"] as? String }) == Self.toolNames)
        for tool in tools {
            let schema = try #require(tool["inputSchema"] as? [String: Any], "\(tool)")
            #expect(schema["type"] as? String == "object")
            #expect(schema["additionalProperties"] as? Bool == false)
            #expect((tool["description"] as? String)?.isEmpty == false)
        }

        // get_secret_keys: names and flags.
        let keys = try client.call("get_secret_keys")
        #expect(!keys.isError)
        #expect(keys.keys == ["CANARY_TOKEN": true])

        // list_workflows: name, file, title, description; request-secrets is built in.
        let workflows = try client.call("list_workflows").structured["workflows"] as? [[String: Any]] ?? []
        #expect(workflows.compactMap { $0["name"] as? String } == ["request-secrets", "rotate-secret", "rotate-secrets", "secrets-example"])
        #expect(workflows.compactMap { $0["file"] as? String } == ["<built-in>/request-secrets.yaml", "<built-in>/rotate-secret.yaml", "<built-in>/rotate-secrets.yaml", "workflows/secrets-example.yaml"])
        #expect(workflows.first?["title"] as? String == "Request secrets")
        #expect(workflows.last?["description"] as? String == "Requests secrets from the user and verifies they were stored.")

        // start_run: waits for a person, with the keys it requested and its page.
        let started = try client.call("start_run", ["workflow": "secrets-example", "input": ["note": "from mcp"]])
        #expect(!started.isError, "\(started.text)")
        let runID = try #require(started.structured["id"] as? String)
        #expect(started.structured["status"] as? String == "waiting")
        #expect(started.structured["place"] as? String == "requesting_secrets")
        #expect(started.structured["waitingFor"] as? [String] == ["secrets_submitted"])
        #expect(started.structured["requestedKeys"] as? [String] == ["EXAMPLE_API_KEY", "EXAMPLE_SECRET"])
        #expect(started.structured["link"] as? String == "http://loopseal.test:9000/workspaces/app/runs/\(runID)")

        // request_secrets: a run of the built-in request-secrets workflow and the link for a person.
        let requested = try client.call("request_secrets", ["keys": ["NEW_TOKEN", ["key": "DB_URL", "description": "Main database"]]])
        #expect(!requested.isError, "\(requested.text)")
        let requestID = try #require(requested.structured["runId"] as? String)
        #expect(requested.structured["requestedKeys"] as? [String] == ["NEW_TOKEN", "DB_URL"])
        #expect(requested.structured["status"] as? String == "waiting")
        #expect(requested.structured["link"] as? String == "http://loopseal.test:9000/workspaces/app/runs/\(requestID)")
        #expect(try client.call("get_secret_keys", ["workspace": "app"]).keys == [
            "CANARY_TOKEN": true, "DB_URL": false, "EXAMPLE_API_KEY": false, "EXAMPLE_SECRET": false, "NEW_TOKEN": false,
        ])

        // A person fills the request (here with the CLI); the run completes with its report.
        try box.ok(["run", "resume", requestID, "--fill"], stdin: Array("NEW_TOKEN=\(filled[0])\nDB_URL=\(filled[1])\n".utf8))
        let shown = try box.ok(["run", "show", requestID, "--json"])
        let run = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout)) as? [String: Any])
        #expect(run["status"] as? String == "completed")
        let report = (run["documents"] as? [[String: Any]])?.last?["content"] as? [String: Any]
        #expect(report?["markdown"] as? String == "# Requested secrets\n- **NEW_TOKEN**: has value\n- **DB_URL**: has value\n")
        #expect(try client.call("get_secret_keys").keys["NEW_TOKEN"] == true)

        // A request fired without values reports the key as missing.
        let later = try client.call("request_secrets", ["keys": [["key": "LATER_KEY"]]])
        let laterID = try #require(later.structured["runId"] as? String)
        try box.ok(["run", "resume", laterID, "--transition", "secrets_submitted"])
        let laterRun = try box.ok(["run", "show", laterID])
        #expect(laterRun.stdoutText.contains("- **LATER_KEY**: missing"), "\(laterRun)")

        // Errors are tool results naming the argument at fault.
        let failures: [(String, [String: Any], String)] = [
            ("start_run", ["workflow": "no-such-flow"], "'workflow': no workflow named 'no-such-flow' (known: request-secrets, rotate-secret, rotate-secrets, secrets-example)"),
            ("start_run", ["workflow": "../workflows/secrets-example.yaml"], "'workflow': no workflow named"),
            ("start_run", [:], "'workflow' is required"),
            ("start_run", ["workflow": "secrets-example", "input": 5], "'input' must be a JSON object"),
            ("start_run", ["workflow": 7], "'workflow' must be a string"),
            ("get_secret_keys", ["workspace": "nope"], "'workspace': nope is not a workspace under"),
            ("get_secret_keys", ["workspace": "../app"], "'workspace': ../app is not a workspace"),
            ("list_workflows", ["verbose": true], "unknown argument 'verbose'"),
            ("request_secrets", [:], "'keys' is required"),
            ("request_secrets", ["keys": [] as [String]], "'keys' is required"),
            ("request_secrets", ["keys": ["OK_KEY", "bad key"]], "'keys[1]': invalid secret key 'bad key'"),
            ("request_secrets", ["keys": [["description": "no key"]]], "'keys[0].key' is required"),
            ("request_secrets", ["keys": ["TWICE", "TWICE"]], "'keys[1]': TWICE is listed twice"),
            ("request_secrets", ["keys": [3]], "'keys[0]' must be a key name or an object"),
            ("sync_secrets", ["dryRun": "yes"], "'dryRun' must be true or false"),
            ("sync_secrets", [:], "sync_secrets needs an identity to decrypt the secrets"),
        ]
        for (tool, arguments, message) in failures {
            let result = try client.call(tool, arguments)
            #expect(result.isError, "\(tool) \(arguments) did not fail: \(result.text)")
            #expect(result.text.contains(message), "\(tool) \(arguments): \(result.text)")
        }
        #expect(try client.call("get_secret_keys").keys["OK_KEY"] == nil, "a refused request declared a key")
        let unknown = try client.response("tools/call", ["name": "reveal_secret", "arguments": ["key": "CANARY_TOKEN"]])
        #expect((unknown["error"] as? [String: Any])?["code"] as? Int == -32602, "\(unknown)")

        // The server exits cleanly when its input ends.
        let ended = client.finish()
        #expect(ended.status == 0, "\(ended.stderrText)")
        for value in [canary] + filled {
            #expect(!ended.stdout.contains(bytes: Array(value.utf8)), "a value reached stdout")
            #expect(!ended.stderr.contains(bytes: Array(value.utf8)), "a value reached stderr")
        }
        #expect(ended.stdout.count > 1000, "too little protocol output to mean anything")
    }

    @Test("request_secrets_task is pending until `run resume --fill`, then completed; get_run links runs and finishes a crashed callback; no value anywhere")
    func requestSecretsTask() throws {
        let (box, alice, canary) = try Self.prepared()
        defer { box.remove() }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("workflows").path
        try FileManager.default.copyItem(atPath: "\(repository)/agent-secrets-example.yaml", toPath: "\(box.root)/workflows/agent-secrets-example.yaml")
        let values = ["CANARY-task-\(UUID().uuidString)", "-----BEGIN CANARY-----\nCANARY-task-line-\(UUID().uuidString)\n-----END-----",
                      "CANARY-agent-\(UUID().uuidString)", "CANARY-hook-\(UUID().uuidString)\nCANARY-hook-line-\(UUID().uuidString)"]
        let seedText = "Secrets have been stored securely by the user."
        var outputs: [RunResult] = []
        func link(_ id: String) -> String { "http://loopseal.test:9000/workspaces/app/runs/\(id)" }

        let client = try MCPClient(box, ["mcp", "--server-url", "http://loopseal.test:9000/"], env: ["LOOPSEAL_LOG_LEVEL": "trace"])
        _ = try client.initialize()

        // The task: pending, with the request's id and page.
        let started = try client.call("request_secrets_task", ["variables": [["key": "TASK_KEY", "description": "The task's key"], ["key": "TASK_CERT"]]])
        #expect(!started.isError, "\(started.text)")
        let id = try #require(started.structured["workflowId"] as? String)
        #expect(started.structured["status"] as? String == "pending")
        #expect(started.structured["requestedKeys"] as? [String] == ["TASK_KEY", "TASK_CERT"])
        #expect(started.structured["link"] as? String == link(id))
        #expect(started.structured["result"] == nil)
        let waiting = try client.call("requestSecretsTask", ["workflowId": id])
        #expect(!waiting.isError && waiting.structured["status"] as? String == "pending", "\(waiting.text)")

        // A person fills it with the CLI (a multi-line value included); the follow-up says completed.
        let filled = try box.ok(["run", "resume", id, "--fill"], stdin: Array("TASK_KEY=\(values[0])\nTASK_CERT<<END\n\(values[1])\nEND\n".utf8))
        outputs.append(filled)
        let done = try client.call("request_secrets_task", ["workflowId": id, "workspace": "app"])
        #expect(!done.isError, "\(done.text)")
        #expect(done.structured["status"] as? String == "completed")
        #expect(done.structured["result"] as? String == seedText)
        #expect(done.structured["missingKeys"] as? [String] == [])
        #expect(try client.call("get_secret_keys").keys == ["CANARY_TOKEN": true, "TASK_CERT": true, "TASK_KEY": true])
        let cert = try box.ok(["get", "TASK_CERT", "-i", alice.path])
        #expect(cert.stdoutText.hasPrefix(values[1]), "the value was not stored, so the leak checks mean nothing")

        // A workflow run pending on a child: get_run links them both ways.
        let parentStarted = try client.call("start_run", ["workflow": "agent-secrets-example"])
        #expect(parentStarted.structured["status"] as? String == "pending", "\(parentStarted.text)")
        let parent = try #require(parentStarted.structured["id"] as? String)
        let pendingOn = try #require(parentStarted.structured["pendingOn"] as? [String: Any], "\(parentStarted.text)")
        let child = try #require(pendingOn["id"] as? String)
        #expect(pendingOn["workflow"] as? String == "request-secrets")
        #expect(pendingOn["link"] as? String == link(child))
        let childShown = try client.call("get_run", ["runId": child])
        #expect(childShown.structured["status"] as? String == "waiting", "\(childShown.text)")
        #expect(childShown.structured["requestedKeys"] as? [String] == ["AGENT_API_KEY", "AGENT_WEBHOOK_SECRET"])
        let parentLink = try #require(childShown.structured["parent"] as? [String: Any], "\(childShown.text)")
        #expect(parentLink["id"] as? String == parent && parentLink["transition"] as? String == "request_secrets")
        #expect(parentLink["link"] as? String == link(parent))
        let children = try client.call("getRun", ["runId": parent]).structured["children"] as? [[String: Any]]
        #expect(children?.map { $0["id"] as? String } == [child] && children?.first?["status"] as? String == "waiting", "\(String(describing: children))")

        // The fill dies after the child is saved completed, before the callback resumes the parent;
        // get_run over MCP finishes it, once.
        let crashed = try box.run(["run", "resume", child, "--fill"], stdin: Array("AGENT_API_KEY=\(values[2])\nAGENT_WEBHOOK_SECRET<<END\n\(values[3])\nEND\n".utf8),
                                  env: ["LOOPSEAL_TEST_CRASH": "before-parent-resume"])
        outputs.append(crashed)
        #expect(crashed.signaled, "\(crashed)")
        let parentFile = "\(box.workspaceDir("app"))/.loopseal/runs/\(parent).json"
        #expect(try String(contentsOfFile: parentFile, encoding: .utf8).contains(#""status": "pending""#), "the crash point was not reached")
        let converged = try client.call("get_run", ["runId": parent])
        #expect(converged.structured["status"] as? String == "completed", "\(converged.text)")
        #expect(converged.structured["place"] as? String == "end")
        #expect(converged.structured["pendingOn"] is NSNull)
        #expect((converged.structured["children"] as? [[String: Any]])?.first?["status"] as? String == "completed")
        let shown = try box.ok(["run", "show", parent, "--json"])
        outputs.append(shown)
        let run = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout)) as? [String: Any])
        #expect((run["state"] as? [String: Any])?["taskResult"] as? String == seedText)
        #expect((run["history"] as? [Any])?.count == 3, "the parent was resumed more than once: \(run)")
        outputs.append(try box.ok(["run", "show", child, "--json"]))

        let ended = client.finish()
        #expect(ended.status == 0, "\(ended.stderrText)")
        #expect(ended.stderrText.contains("tool call"), "no log to check")
        let needles = [canary] + values + values.flatMap { $0.split(separator: "\n").map(String.init) }.filter { $0.hasPrefix("CANARY") }
        for value in needles {
            #expect(!ended.stdout.contains(bytes: Array(value.utf8)), "a value reached the MCP client")
            #expect(!ended.stderr.contains(bytes: Array(value.utf8)), "a value reached the server's log")
            for output in outputs {
                #expect(!output.stdout.contains(bytes: Array(value.utf8)) && !output.stderr.contains(value), "a value in \(output)")
            }
            for file in allFiles(under: box.root) {
                #expect(!(try readBytes(file)).contains(bytes: Array(value.utf8)), "a value in \(file)")
            }
        }
    }

    @Test("sync_secrets reports key names per target, dry run first, never values")
    func syncSecrets() throws {
        let (box, alice, canary) = try Self.prepared()
        defer { box.remove() }
        let client = try MCPClient(box, ["mcp", "--identity", alice.path], env: ["LOOPSEAL_LOG_LEVEL": "trace"])
        _ = try client.initialize()
        let envFile = "\(box.root)/deploy/app.env"

        // A dry run refuses what the real sync would (the folder is missing), with the report.
        let planned = try client.call("sync_secrets", ["dryRun": true])
        #expect(planned.isError, "\(planned.text)")
        #expect(planned.text.contains("target 'app-env': folder") && planned.text.contains("does not exist"), "\(planned.text)")
        let plan = try #require((planned.structured["targets"] as? [[String: Any]])?.first, "\(planned.text)")
        #expect(plan["name"] as? String == "app-env")
        #expect(plan["type"] as? String == "file")
        #expect(plan["status"] as? String == "would be refused")
        #expect(plan["written"] as? Bool == false)
        #expect(plan["added"] as? [String] == ["CANARY_TOKEN"])
        #expect(!FileManager.default.fileExists(atPath: envFile), "a dry run wrote the target")

        // A failing target is a tool error that still carries the report.
        let failed = try client.call("sync_secrets")
        #expect(failed.isError)
        #expect(failed.text.contains("target 'app-env': folder") && failed.text.contains("does not exist"), "\(failed.text)")
        #expect((failed.structured["targets"] as? [[String: Any]])?.first?["status"] as? String == "refused")

        try FileManager.default.createDirectory(atPath: "\(box.root)/deploy", withIntermediateDirectories: true)
        let synced = try client.call("sync_secrets", ["workspace": "app"])
        let written = try #require((synced.structured["targets"] as? [[String: Any]])?.first, "\(synced.text)")
        #expect(written["status"] as? String == "written")
        #expect(written["written"] as? Bool == true)
        #expect(written["keyCount"] as? Int == 1)
        #expect(try readBytes(envFile).contains(bytes: Array(canary.utf8)), "the target did not get the value")

        try box.set("CANARY_TOKEN", canary + "-rotated")
        let changed = try client.call("sync_secrets")
        let rotated = try #require((changed.structured["targets"] as? [[String: Any]])?.first, "\(changed.text)")
        #expect(rotated["changed"] as? [String] == ["CANARY_TOKEN"])
        #expect(rotated["added"] as? [String] == [])
        let again = try client.call("sync_secrets")
        #expect((again.structured["targets"] as? [[String: Any]])?.first?["status"] as? String == "unchanged")

        let ended = client.finish()
        #expect(ended.status == 0, "\(ended.stderrText)")
        #expect(!ended.stdout.contains(bytes: Array(canary.utf8)), "a value reached stdout")
        #expect(!ended.stderr.contains(bytes: Array(canary.utf8)), "a value reached stderr")
    }

    @Test("requests piped in at once are all answered before the server exits")
    func pipedScript() throws {
        let (box, _, canary) = try Self.prepared()
        defer { box.remove() }
        let lines: [[String: Any]] = [
            ["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": MCPClient.initializeParams],
            ["jsonrpc": "2.0", "method": "notifications/initialized"],
            ["jsonrpc": "2.0", "id": 2, "method": "tools/list"],
            ["jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": ["name": "get_secret_keys", "arguments": [:] as [String: Any]]],
        ]
        var script: [UInt8] = []
        for line in lines { script += Array(try JSONSerialization.data(withJSONObject: line)) + [0x0A] }
        let result = try box.runner.start(["mcp"], stdin: script).wait(timeout: 30)
        #expect(result.status == 0, "\(result)")
        let responses = result.stdoutText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(Set(responses.compactMap { $0["id"] as? Int }) == [1, 2, 3], "\(result)")
        #expect(result.stdoutText.contains("\"CANARY_TOKEN\""))
        #expect(!result.stdout.contains(bytes: Array(canary.utf8)))
    }

    @Test("bad options and roots fail before serving, on stderr")
    func badStart() throws {
        let box = try Sandbox("mcp-bad")
        defer { box.remove() }
        let noRoot = try box.run(["mcp"], stdin: [])
        #expect(noRoot.status == 1 && noRoot.stdout.isEmpty && noRoot.stderr.contains("no 'workspaces/' directory"), "\(noRoot)")
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        let badURL = try box.run(["mcp", "--server-url", "ftp://x"], stdin: [])
        #expect(badURL.status == 2 && badURL.stdout.isEmpty && badURL.stderr.contains("--server-url"), "\(badURL)")
        let badWorkspace = try box.run(["mcp", "-w", "other"], stdin: [])
        #expect(badWorkspace.status == 1 && badWorkspace.stdout.isEmpty && badWorkspace.stderr.contains("workspace 'other' not found"), "\(badWorkspace)")
    }
}

/// One tools/call result as the client sees it.
struct ToolCallResult {
    var isError: Bool
    /// Every text content block, joined by newlines.
    var text: String
    var structured: [String: Any]

    /// `get_secret_keys`' keys as key -> hasValue.
    var keys: [String: Bool] {
        Dictionary((structured["keys"] as? [[String: Any]] ?? []).compactMap { item in
            (item["key"] as? String).map { ($0, item["hasValue"] as? Bool ?? false) }
        }, uniquingKeysWith: { first, _ in first })
    }
}

/// A `loopseal mcp` process and a newline-delimited JSON-RPC 2.0 client on its pipes. Every byte
/// the server writes is kept, so tests can search it.
final class MCPClient: @unchecked Sendable {
    static var initializeParams: [String: Any] {
        [
            "protocolVersion": "2025-06-18",
            "capabilities": [:] as [String: Any],
            "clientInfo": ["name": "loopseal-tests", "version": "1.0"],
        ]
    }

    private let process: SpawnedProcess
    private let input: FileHandle
    private let condition = NSCondition()
    private var output: [UInt8] = []
    private var errors: [UInt8] = []
    private var outputClosed = false
    private var scanned = 0
    private var responses: [Int: [String: Any]] = [:]
    private var nextID = 0
    private let errorsDone = DispatchSemaphore(value: 0)
    private let outputDone = DispatchSemaphore(value: 0)

    /// Starts `loopseal args…` in `box` with its clean environment plus `env`.
    init(_ box: Sandbox, _ args: [String], env: [String: String] = [:]) throws {
        var environment = box.runner.baseEnvironment()
        for (name, value) in env { environment[name] = value }
        process = try SpawnedProcess(executable: box.runner.binary, arguments: args, directory: box.root,
                                     environment: environment, stdin: .pipe, stdout: .pipe, stderr: .pipe)
        input = FileHandle(fileDescriptor: process.input ?? -1, closeOnDealloc: true)
        collect(FileHandle(fileDescriptor: process.output ?? -1, closeOnDealloc: true), isOutput: true)
        collect(FileHandle(fileDescriptor: process.errors ?? -1, closeOnDealloc: true), isOutput: false)
    }

    deinit {
        process.send(SIGKILL)
    }

    /// Reads `handle` to its end on its own thread (blocking reads would starve the test pool).
    private func collect(_ handle: FileHandle, isOutput: Bool) {
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                condition.lock()
                if chunk.isEmpty {
                    if isOutput { outputClosed = true }
                    condition.broadcast()
                    condition.unlock()
                    break
                }
                if isOutput { output += chunk } else { errors += chunk }
                condition.broadcast()
                condition.unlock()
            }
            (isOutput ? outputDone : errorsDone).signal()
        }.start()
    }

    /// Writes one JSON-RPC message and a newline, from a thread that blocks SIGPIPE so a dead
    /// server fails the test instead of killing the runner.
    func send(_ message: [String: Any]) throws {
        let line = Array(try JSONSerialization.data(withJSONObject: message)) + [0x0A]
        let fd = input.fileDescriptor
        let done = DispatchSemaphore(value: 0)
        Thread {
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
            line.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count, let base = raw.baseAddress {
                    let written = write(fd, base + offset, raw.count - offset)
                    if written < 0 { if errno == EINTR { continue }; break }
                    offset += written
                }
            }
            done.signal()
        }.start()
        done.wait()
    }

    /// Sends request `method` and returns the whole response (`result` or `error`).
    func response(_ method: String, _ params: [String: Any], timeout: Double = 20) throws -> [String: Any] {
        condition.lock()
        nextID += 1
        let id = nextID
        condition.unlock()
        try send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            scanLines()
            if let response = responses.removeValue(forKey: id) { return response }
            if outputClosed { throw MCPClientError("the server closed stdout before answering \(method): \(stderrText)") }
            if !condition.wait(until: deadline) { throw MCPClientError("no answer to \(method) within \(timeout) s: \(stderrText)") }
        }
    }

    /// Sends request `method` and returns its `result`, failing on a JSON-RPC error.
    func request(_ method: String, _ params: [String: Any]) throws -> [String: Any] {
        let answer = try response(method, params)
        guard answer["jsonrpc"] as? String == "2.0", let result = answer["result"] as? [String: Any] else {
            throw MCPClientError("\(method) failed: \(answer)")
        }
        return result
    }

    /// The MCP handshake: `initialize`, then `notifications/initialized`. Returns the initialize result.
    func initialize() throws -> [String: Any] {
        let result = try request("initialize", Self.initializeParams)
        try send(["jsonrpc": "2.0", "method": "notifications/initialized"])
        return result
    }

    /// `tools/call` of `name` with `arguments`.
    func call(_ name: String, _ arguments: [String: Any] = [:]) throws -> ToolCallResult {
        let result = try request("tools/call", ["name": name, "arguments": arguments])
        let blocks = result["content"] as? [[String: Any]] ?? []
        return ToolCallResult(isError: result["isError"] as? Bool ?? false,
                              text: blocks.compactMap { $0["text"] as? String }.joined(separator: "\n"),
                              structured: result["structuredContent"] as? [String: Any] ?? [:])
    }

    /// Parses complete stdout lines not seen yet into `responses` (lock held).
    private func scanLines() {
        while let newline = output[scanned...].firstIndex(of: 0x0A) {
            let line = Data(output[scanned..<newline])
            scanned = newline + 1
            if let message = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let id = message["id"] as? Int {
                responses[id] = message
            }
        }
    }

    /// What the server wrote to stderr so far.
    var stderrText: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: errors, as: UTF8.self)
    }

    /// Closes stdin, waits for the exit (killing the server after `timeout` seconds) and
    /// returns its status and everything it wrote.
    func finish(timeout: Double = 20) -> (status: Int32, stdout: [UInt8], stderr: [UInt8], stderrText: String) {
        try? input.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        process.send(SIGKILL)
        let ended = process.wait()
        outputDone.wait()
        errorsDone.wait()
        condition.lock()
        defer { condition.unlock() }
        return (ended.status, output, errors, String(decoding: errors, as: UTF8.self))
    }
}

/// The scripted client could not get an answer.
struct MCPClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
