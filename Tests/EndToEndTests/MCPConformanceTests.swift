import Foundation
import LoopsealSystem
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 11 item 12: `loopseal mcp` against JSON-RPC 2.0 and the MCP lifecycle, on raw stdio
/// lines, and against the official MCP Python SDK (`Tests/MCP/mcp_client_test.py`).
@Suite("mcp conformance")
struct MCPConformanceTests {
    static let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#

    /// A workspace `app` with one secret, ready for `loopseal mcp`.
    static func prepared(_ label: String) throws -> Sandbox {
        let box = try Sandbox(label)
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try box.set("API_KEY", "CANARY-conformance-\(UUID().uuidString)")
        return box
    }

    /// Every line of stdout parsed as JSON (objects and arrays).
    static func messages(_ result: RunResult) -> [Any] {
        result.stdoutText.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
    }

    /// A JSON-RPC id as the tests name it.
    enum ID { case null, number(Int), text(String) }

    /// The response whose `id` is `id`.
    static func response(_ messages: [Any], id: ID) -> [String: Any]? {
        messages.compactMap { $0 as? [String: Any] }.first { message in
            switch id {
            case .null: return message["id"] is NSNull
            case .number(let number): return message["id"] as? Int == number
            case .text(let text): return message["id"] as? String == text
            }
        }
    }

    static func errorCode(_ message: [String: Any]?) -> Int? {
        (message?["error"] as? [String: Any])?["code"] as? Int
    }

    @Test("a line that is not JSON is answered with id null (-32700); before initialize only initialize and ping are answered")
    func beforeInitialization() throws {
        let box = try Self.prepared("mcp-raw-early")
        defer { box.remove() }
        let lines = [
            "this is not json",
            #"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"#,
            #"{"jsonrpc":"2.0","id":"call","method":"tools/call","params":{"name":"get_secret_keys","arguments":{}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}"#,
            #"{"jsonrpc":"2.0","id":8,"method":"ping"}"#,
        ]
        let result = try box.runner.start(["mcp"], stdin: Array((lines.joined(separator: "\n") + "\n").utf8)).wait(timeout: 30)
        #expect(result.status == 0, "\(result)")
        let messages = Self.messages(result)
        #expect(messages.count == 4, "one answer per request and one for the bad line, none for the notification: \(result.stdoutText)")

        let parseError = try #require(Self.response(messages, id: .null), "no answer with \"id\": null: \(result.stdoutText)")
        #expect(Self.errorCode(parseError) == -32700, "\(parseError)")
        #expect(parseError["jsonrpc"] as? String == "2.0")
        #expect(result.stdoutText.contains(#""id":null"#), "id must be written as null, not left out")

        for id in [ID.number(7), ID.text("call")] {
            let refused = try #require(Self.response(messages, id: id), "no answer to \(id): \(result.stdoutText)")
            #expect(Self.errorCode(refused) == -32600, "\(refused)")
            #expect(((refused["error"] as? [String: Any])?["message"] as? String)?.contains("send 'initialize'") == true, "\(refused)")
        }
        #expect(!result.stdoutText.contains("API_KEY"), "a tool ran before initialization")
        let ping = try #require(Self.response(messages, id: .number(8)))
        #expect(ping["result"] as? [String: Any] != nil, "ping must be answered before initialization: \(ping)")
    }

    @Test("malformed messages get -32600 with their id when usable, else null; an empty batch is one error with id null")
    func invalidMessages() throws {
        let box = try Self.prepared("mcp-raw-invalid")
        defer { box.remove() }
        let lines = [
            Self.initialize,
            #"{"jsonrpc":"2.0","id":{"nested":1},"method":"ping"}"#,
            #"{"jsonrpc":"1.0","id":21,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":22}"#,
            #""just a string""#,
            "[]",
            #"{"jsonrpc":"2.0","id":23,"method":"ping"}"#,
        ]
        let result = try box.runner.start(["mcp"], stdin: Array((lines.joined(separator: "\n") + "\n").utf8)).wait(timeout: 30)
        #expect(result.status == 0, "\(result)")
        let messages = Self.messages(result).compactMap { $0 as? [String: Any] }
        let nullIDs = messages.filter { $0["id"] is NSNull }
        #expect(nullIDs.count == 3, "bad id, a string, an empty batch: \(result.stdoutText)")
        #expect(nullIDs.allSatisfy { Self.errorCode($0) == -32600 }, "\(nullIDs)")
        #expect(Self.errorCode(Self.response(messages, id: .number(21))) == -32600)
        #expect(Self.errorCode(Self.response(messages, id: .number(22))) == -32600)
        #expect(Self.response(messages, id: .number(23))?["result"] != nil, "the session goes on: \(result.stdoutText)")
        // No random ids: every answer carries an id the client sent, or null.
        let sent: Set<Int> = [1, 21, 22, 23]
        for message in messages where !(message["id"] is NSNull) {
            #expect((message["id"] as? Int).map(sent.contains) == true, "unexpected id in \(message)")
        }
    }

    @Test("after initialize, a bad line is answered with id null and the session goes on")
    func parseErrorMidSession() throws {
        let box = try Self.prepared("mcp-raw-mid")
        defer { box.remove() }
        let client = try RawLineClient(box)
        let initialized = try client.exchange(Self.initialize)
        #expect((initialized["result"] as? [String: Any])?["serverInfo"] != nil, "\(initialized)")
        try client.write(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        let broken = try client.exchange(#"{"jsonrpc":"2.0","id":5,"method":"tools/list""#)
        #expect(broken["id"] is NSNull, "\(broken)")
        #expect(Self.errorCode(broken) == -32700, "\(broken)")
        let listed = try client.exchange(#"{"jsonrpc":"2.0","id":6,"method":"tools/list"}"#)
        #expect(listed["id"] as? Int == 6)
        let tools = try #require((listed["result"] as? [String: Any])?["tools"] as? [[String: Any]], "\(listed)")
        for tool in tools {
            let schema = tool["outputSchema"] as? [String: Any]
            #expect(schema?["type"] as? String == "object", "\(tool["name"] ?? "?") has no outputSchema")
            #expect(schema?["additionalProperties"] as? Bool == false, "\(tool["name"] ?? "?")")
        }
        #expect(tools.count == 9)
        #expect(client.finish() == 0)
    }

    /// Whether the official MCP Python SDK can be imported (`pip install mcp`).
    static let pythonMCPAvailable: Bool = {
        guard let outcome = try? ChildProcess.run(["python3", "-c", "import mcp.client.stdio, jsonschema"]) else { return false }
        return outcome.status == 0 && !outcome.signaled
    }()

    @Test("the official MCP Python SDK initializes, lists the tools and validates every result against its outputSchema",
          .enabled(if: MCPConformanceTests.pythonMCPAvailable, "the MCP Python SDK is not importable: pip install mcp (make test-deps does it)"))
    func pythonSDKClient() throws {
        let box = try Sandbox("mcp-python")
        defer { box.remove() }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("MCP/mcp_client_test.py").path
        let result = try box.runner.runTool("/usr/bin/env", ["python3", script], env: ["LOOPSEAL_BIN": box.runner.binary], timeout: 180)
        #expect(result.status == 0 && !result.signaled, "\(result)")
        #expect(result.stdoutText.contains("ok: the MCP Python SDK"), "\(result)")
    }
}

/// A flag set from another thread.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var value: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}

/// `loopseal mcp` with raw lines written to its stdin and read back one at a time.
final class RawLineClient: @unchecked Sendable {
    private let process: SpawnedProcess
    private let input: FileHandle
    private let output: FileHandle
    private var buffer: [UInt8] = []

    init(_ box: Sandbox) throws {
        process = try SpawnedProcess(executable: box.runner.binary, arguments: ["mcp"], directory: box.root,
                                     environment: box.runner.baseEnvironment(), stdin: .pipe, stdout: .pipe)
        input = FileHandle(fileDescriptor: process.input ?? -1, closeOnDealloc: true)
        output = FileHandle(fileDescriptor: process.output ?? -1, closeOnDealloc: true)
    }

    deinit {
        process.send(SIGKILL)
    }

    /// Writes `line` and a newline, from a thread that blocks SIGPIPE, so a dead server fails
    /// the test instead of killing the runner.
    func write(_ line: String) throws {
        let bytes = Array((line + "\n").utf8), fd = input.fileDescriptor
        let done = DispatchSemaphore(value: 0)
        let failed = ManagedFlag()
        Thread {
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written < 0 { if errno == EINTR { continue }; failed.set(); break }
                offset += written
            }
            done.signal()
        }.start()
        done.wait()
        if failed.value { throw MCPClientError("the server stopped reading its input") }
    }

    /// Writes `line` and returns the next line the server writes, parsed (20 s at most).
    func exchange(_ line: String) throws -> [String: Any] {
        try write(line)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let text = Data(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return try #require(try JSONSerialization.jsonObject(with: text) as? [String: Any])
            }
            var poll = pollfd(fd: output.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, 100) > 0 else { continue }
            let chunk = output.availableData
            if chunk.isEmpty { break }
            buffer += chunk
        }
        throw MCPClientError("no answer to \(line.prefix(60))")
    }

    /// Closes stdin and returns the exit status.
    func finish() -> Int32 {
        try? input.close()
        return process.wait().status
    }
}
