import Dispatch
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `loopseal serve` as a user runs it: tokens from the CLI, the real binary on loopback,
/// `--git-commit`, and a canary value that must show up nowhere but in its sealed file.
@Suite("loopseal serve end to end")
struct ServeTests {
    @Test("API writes with --git-commit: the value opens with the identity and appears in no response, log, audit line, commit or run file")
    func canary() throws {
        let sandbox = try Sandbox("serve")
        defer { sandbox.remove() }
        let alice = try sandbox.keygen("alice")
        try sandbox.initWorkspace("demo", [alice])
        try copyWorkflows(into: sandbox.root)
        for arguments in [["init", "-q"], ["config", "user.email", "t@example.com"], ["config", "user.name", "T"],
                          ["add", "-A"], ["commit", "-q", "-m", "initial"]] {
            try sandbox.runner.runTool("/usr/bin/env", ["git", "-C", sandbox.root] + arguments).requireSuccess()
        }
        let state = "\(sandbox.root)/../\(URL(fileURLWithPath: sandbox.root).lastPathComponent)-state"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let env: [String: String?] = ["LOOPSEAL_STATE": state, "LOOPSEAL_LOG_LEVEL": "trace"]

        let created = try sandbox.run(["token", "create", "-w", "demo", "--role", "admin", "--json"], env: env)
        try created.requireSuccess()
        let tokenJSON = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout)) as? [String: Any])
        let token = try #require(tokenJSON["token"] as? String)
        let listed = try sandbox.run(["token", "list"], env: env)
        #expect(listed.stdoutText.contains(tokenJSON["id"] as? String ?? "?"))
        #expect(!listed.stdoutText.contains(token))
        #expect(!(try String(contentsOfFile: "\(state)/tokens.json", encoding: .utf8)).contains(token))

        let server = try StartedServer.start(sandbox, env: env, extra: ["--git-commit"])
        defer { server.stop() }
        let canary = "canary-\(UUID().uuidString)"
        var responses: [String] = []
        func call(_ method: String, _ path: String, _ body: String? = nil, expect status: Int,
                  sourceLocation: SourceLocation = #_sourceLocation) throws -> Any? {
            let (code, text) = try server.request(method, path, token: token, body: body)
            responses.append(text)
            #expect(code == status, "\(method) \(path): \(text)", sourceLocation: sourceLocation)
            return try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        }

        _ = try call("PUT", "/api/v1/workspaces/demo/secrets/upsert", #"{"key":"DB_PASSWORD","value":"\#(canary)"}"#, expect: 200)
        _ = try call("POST", "/api/v1/workspaces/demo/secrets", #"{"key":"API_KEY","value":"\#(canary)-2"}"#, expect: 201)
        _ = try call("POST", "/api/v1/workspaces/demo/secrets", #"{"key":"API_KEY","value":"\#(canary)-3"}"#, expect: 409)
        let list = try #require(try call("GET", "/api/v1/workspaces/demo/secrets", expect: 200) as? [[String: Any]])
        #expect(list.map { $0["key"] as? String } == ["API_KEY", "DB_PASSWORD"])

        let run = try #require(try call("POST", "/api/v1/workspaces/demo/runs", #"{"workflow":"secrets-example"}"#, expect: 201) as? [String: Any])
        let runID = try #require(run["id"] as? String)
        #expect(run["status"] as? String == "waiting")
        _ = try call("PUT", "/api/v1/workspaces/demo/secrets/upsert", #"{"key":"EXAMPLE_API_KEY","value":"\#(canary)-4"}"#, expect: 200)
        _ = try call("PUT", "/api/v1/workspaces/demo/secrets/upsert", #"{"key":"EXAMPLE_SECRET","value":"\#(canary)-5"}"#, expect: 200)
        let done = try #require(try call("POST", "/api/v1/workspaces/demo/runs/\(runID)/transitions/secrets_submitted",
                                         #"{"payload":{"keys":["EXAMPLE_API_KEY","EXAMPLE_SECRET"]}}"#, expect: 200) as? [String: Any])
        #expect(done["status"] as? String == "completed")

        // Revoking from the CLI takes effect on the running server at once.
        let revokeMe = try sandbox.run(["token", "create", "-w", "demo", "--role", "reader"], env: env)
        let readerToken = revokeMe.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try server.request("GET", "/api/v1/workspaces/demo/secrets", token: readerToken).0 == 200)
        let readerID = readerToken.split(separator: "_")[1]
        try sandbox.run(["token", "revoke", String(readerID)], env: env).requireSuccess()
        #expect(try server.request("GET", "/api/v1/workspaces/demo/secrets", token: readerToken).0 == 401)

        let output = server.stop()
        #expect(try sandbox.run(["get", "DB_PASSWORD", "-i", alice.path]).stdoutText == canary)
        #expect(try sandbox.run(["get", "API_KEY", "-i", alice.path]).stdoutText == "\(canary)-2")

        for response in responses { #expect(!response.contains(canary)) }
        #expect(output.stderr.contains("DB_PASSWORD"), "trace logs name keys")
        #expect(!output.stderr.contains(canary))
        let audit = try String(contentsOfFile: "\(state)/audit.jsonl", encoding: .utf8)
        #expect(audit.contains(#""key":"DB_PASSWORD""#))
        #expect(audit.contains(#""action":"run.start""#))
        #expect(!audit.contains(canary))
        let log = try sandbox.runner.runTool("/usr/bin/env", ["git", "-C", sandbox.root, "log", "-p", "--format=%B"])
        #expect(log.stdoutText.contains("loopseal: upsert DB_PASSWORD in workspace demo"))
        #expect(log.stdoutText.contains("loopseal: create API_KEY in workspace demo"))
        #expect(!log.stdoutText.contains(canary))
        for file in allFiles(under: "\(sandbox.workspaceDir("demo"))/.loopseal") {
            #expect(!((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").contains(canary), "\(file)")
        }
    }

    @Test("a workspace with writers: the server signs with --signing-key, and says how to give one when it has none")
    func signedWrites() throws {
        let sandbox = try Sandbox("serve-signed")
        defer { sandbox.remove() }
        let alice = try sandbox.keygen("alice")
        try sandbox.initWorkspace("demo", [alice])
        let signingPath = "\(sandbox.root)/keys/server.signing"
        let signingPublic = try sandbox.ok(["keygen", "--signing", "-o", signingPath]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        try sandbox.ok(["writers", "add", "server", signingPublic])
        let env: [String: String?] = ["LOOPSEAL_STATE": "\(sandbox.root)/state"]
        let token = try sandbox.run(["token", "create", "-w", "demo", "--role", "writer"], env: env).stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let body = #"{"key":"SIGNED","value":"v1"}"#

        let unsigned = try StartedServer.start(sandbox, env: env)
        let refused = try unsigned.request("PUT", "/api/v1/workspaces/demo/secrets/upsert", token: token, body: body)
        unsigned.stop()
        #expect(refused.0 == 500)
        #expect(refused.1.contains(#""error":"signing_key""#))
        #expect(refused.1.contains("--signing-key FILE"))

        let signing = try StartedServer.start(sandbox, env: env, extra: ["--signing-key", signingPath])
        let stored = try signing.request("PUT", "/api/v1/workspaces/demo/secrets/upsert", token: token, body: body)
        signing.stop()
        #expect(stored.0 == 200, "\(stored)")
        #expect(try sandbox.ok(["get", "SIGNED", "-i", alice.path]).stdoutText == "v1")
        #expect(try sandbox.ok(["verify", "-i", alice.path]).status == 0)
    }

    @Test("serve refuses --git-commit outside a git repository, and a bad --listen, with a clear message")
    func badStart() throws {
        let sandbox = try Sandbox("serve-bad")
        defer { sandbox.remove() }
        let alice = try sandbox.keygen("alice")
        try sandbox.initWorkspace("demo", [alice])
        let noGit = try sandbox.run(["serve", "--git-commit", "--listen", "127.0.0.1:0"], env: ["LOOPSEAL_STATE": "\(sandbox.root)/state", "GIT_CEILING_DIRECTORIES": sandbox.root + "/.."])
        #expect(noGit.status == 1)
        #expect(noGit.stderr.contains("not inside a git repository"))
        let badListen = try sandbox.run(["serve", "--listen", "nonsense"])
        #expect(badListen.status == 2)
        #expect(badListen.stderr.contains("The value 'nonsense' is invalid for '--listen <host:port>': expected HOST:PORT"), "\(badListen)")
        let noWorkspace = try sandbox.run(["token", "create", "--role", "writer"], env: ["LOOPSEAL_STATE": "\(sandbox.root)/state"])
        #expect(noWorkspace.status == 1)
        #expect(noWorkspace.stderr.contains("at least one --workspace"))
    }
}

/// Broken HTTP framing gets a 400 that says what is wrong, and a log line with the cause and
/// without the bytes sent.
@Suite("loopseal serve and agent: malformed request framing")
struct MalformedFramingTests {
    static func chunked(_ path: String, token: String?, canary: String) -> String {
        "PUT \(path) HTTP/1.1\r\nHost: x\r\n" + (token.map { "Authorization: Bearer \($0)\r\n" } ?? "")
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "8\r\n{\"key\":\"A\r\nzz\r\n\(canary)\r\n0\r\n\r\n"
    }

    @Test("serve: a bad chunk size gets 400 JSON naming the framing; the log names the cause, not the bytes")
    func serve() throws {
        let sandbox = try Sandbox("serve-framing")
        defer { sandbox.remove() }
        try sandbox.initWorkspace("demo", [try sandbox.keygen("alice")])
        let env: [String: String?] = ["LOOPSEAL_STATE": "\(sandbox.root)/state"]
        let token = try sandbox.run(["token", "create", "-w", "demo", "--role", "writer"], env: env).stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try StartedServer.start(sandbox, env: env)
        defer { server.stop() }
        let canary = "canary-\(UUID().uuidString)"
        let answer = try RawHTTP.exchange(port: server.port, Self.chunked("/api/v1/workspaces/demo/secrets/upsert", token: token, canary: canary))
        #expect(answer.status == 400, "\(answer.text)")
        #expect(answer.text.contains(#""error":"malformed_request""#), "\(answer.text)")
        #expect(answer.text.contains("not valid HTTP/1.1 framing"))
        #expect(!answer.text.contains("\nHTTP/1.1 "), "one response: \(answer.text)")
        // Answered before the body is read (no token): still one response, then the connection closes.
        let early = try RawHTTP.exchange(port: server.port, Self.chunked("/api/v1/workspaces/demo/secrets/upsert", token: nil, canary: canary))
        #expect(early.status == 401, "\(early.text)")
        #expect(!early.text.contains("\nHTTP/1.1 "), "one response: \(early.text)")
        #expect(early.closedByServer, "the server closed the connection")
        let output = server.stop()
        #expect(output.stderr.contains("malformed request framing"), "\(output.stderr)")
        #expect(output.stderr.contains("cause="), "\(output.stderr)")
        #expect(!output.stderr.contains(canary))
        #expect(!FileManager.default.fileExists(atPath: sandbox.sealedPath("demo", "A")))
    }

    @Test("agent: a bad chunk size gets 400 JSON naming the framing")
    func agent() throws {
        let sandbox = try Sandbox("agent-framing")
        defer { sandbox.remove() }
        let agent = try StartedAgent.startAlone(sandbox)
        defer { agent.stop() }
        let canary = "canary-\(UUID().uuidString)"
        let request = Self.chunked("/v1/sync", token: nil, canary: canary).replacingOccurrences(of: "PUT ", with: "POST ")
        let answer = try RawHTTP.exchange(port: agent.port, request)
        #expect(answer.status == 400, "\(answer.text)")
        #expect(answer.text.contains("not valid HTTP/1.1 framing"), "\(answer.text)")
        let output = agent.stop()
        #expect(output.stderr.contains("malformed request framing"), "\(output.stderr)")
        #expect(!output.stderr.contains(canary))
    }
}

/// A connection flood against `loopseal serve`: clients that never finish a request head, or
/// send a body or their next request too slowly, are closed on time, and past the cap the
/// connections waiting longest make room, so `/healthz` keeps answering.
@Suite("loopseal serve under a connection flood", .serialized)
struct ServeFloodTests {
    @Test("2,000 connections that never finish their head: /healthz answers while they are open, and they are closed after --header-timeout")
    func unfinishedHeads() throws {
        let sandbox = try Sandbox("serve-flood")
        defer { sandbox.remove() }
        try sandbox.initWorkspace("demo", [try sandbox.keygen("alice")])
        let server = try StartedServer.start(sandbox, env: ["LOOPSEAL_STATE": "\(sandbox.root)/state"], extra: ["--header-timeout", "10"])
        defer { server.stop() }
        try UnfinishedHeadFlood.check(port: server.port, headerTimeout: 10)
    }

    @Test("past --max-connections the connections that waited longest for a head are closed; /healthz still answers")
    func connectionCap() throws {
        let sandbox = try Sandbox("serve-cap")
        defer { sandbox.remove() }
        try sandbox.initWorkspace("demo", [try sandbox.keygen("alice")])
        let server = try StartedServer.start(sandbox, env: ["LOOPSEAL_STATE": "\(sandbox.root)/state"],
                                             extra: ["--max-connections", "100", "--header-timeout", "60"])
        defer { server.stop() }
        let flood = try SlowClients(port: server.port, count: 300, prefix: UnfinishedHeadFlood.unfinishedHead)
        defer { flood.close() }
        let health = try RawHTTP.exchange(port: server.port, UnfinishedHeadFlood.health)
        // Answered within the exchange's 5 s (the header timeout is 60 s): the cap made room.
        #expect(health.status == 200 && health.closedByServer, "\(health.text)")
        let deadline = Date().addingTimeInterval(5)
        var closed = flood.closedByServer()
        while closed.count < 200 && Date() < deadline {
            usleep(100_000)
            closed = flood.closedByServer()
        }
        // 301 connections for 100 places. The server registers connections on two event loops,
        // so its order can differ slightly from the order they were opened in.
        #expect(closed.count >= 200, "\(closed.count) closed")
        #expect(Set(0..<100).isSubset(of: closed), "the oldest go first")
        let output = server.stop()
        #expect(output.stderr.contains("connection limit reached"))
    }

    @Test("a body slower than --body-timeout and a kept-alive connection idle past --idle-timeout are closed")
    func bodyAndIdleTimeouts() throws {
        let sandbox = try Sandbox("serve-slow")
        defer { sandbox.remove() }
        try sandbox.initWorkspace("demo", [try sandbox.keygen("alice")])
        let server = try StartedServer.start(sandbox, env: ["LOOPSEAL_STATE": "\(sandbox.root)/state"],
                                             extra: ["--body-timeout", "1", "--idle-timeout", "1"])
        defer { server.stop() }
        let slowBody = try RawHTTP.connect(port: server.port)
        defer { close(slowBody) }
        try RawHTTP.send(slowBody, Array("PUT /api/v1/workspaces/demo/secrets/upsert HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"key\"".utf8))
        let idle = try RawHTTP.connect(port: server.port)
        defer { close(idle) }
        try RawHTTP.send(idle, Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        // Each read gives up after 5 s, well past the 1 s timeouts: ending by a close is the server's doing.
        let slowRead = RawHTTP.readUntilClosed(slowBody, timeout: 5)
        let idleRead = RawHTTP.readUntilClosed(idle, timeout: 5)
        #expect(slowRead.closed && idleRead.closed, "both connections were closed by the server")
        let answered = String(decoding: slowRead.bytes + idleRead.bytes, as: UTF8.self)
        #expect(answered.contains(#"{"status":"ok"}"#), "the kept-alive request was answered first")
        #expect(RawHTTP.isClosedByPeer(slowBody))
        #expect(RawHTTP.isClosedByPeer(idle))
    }

    @Test("timeouts and the cap are checked at start")
    func badLimits() throws {
        let sandbox = try Sandbox("serve-limits")
        defer { sandbox.remove() }
        let zero = try sandbox.run(["serve", "--header-timeout", "0"])
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("--header-timeout"))
        let huge = try sandbox.run(["serve", "--listen", "127.0.0.1:0", "--max-connections", "100000000"])
        #expect(huge.status == 1)
        #expect(huge.stderr.contains("does not fit the open file limit"), "\(huge)")
    }
}

extension RunResult {
    /// Requires exit status 0.
    func requireSuccess(sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(status == 0 && !signaled, "\(self)", sourceLocation: sourceLocation)
    }
}

/// Copies the repository's example workflows into a sandbox root.
func copyWorkflows(into root: String, filePath: String = #filePath) throws {
    let repo = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    try FileManager.default.copyItem(atPath: repo.appendingPathComponent("workflows").path, toPath: "\(root)/workflows")
}

/// A running `loopseal serve` on a free loopback port.
final class StartedServer: @unchecked Sendable {
    let port: Int
    let process: RunningProcess
    private var result: RunResult?

    private init(port: Int, process: RunningProcess) {
        self.port = port
        self.process = process
    }

    static func start(_ sandbox: Sandbox, env: [String: String?], extra: [String] = [], root: String? = nil) throws -> StartedServer {
        var failure = ""
        for _ in 0..<5 {
            let port = try freeLoopbackPort()
            let process = try sandbox.runner.start(["serve", "--listen", "127.0.0.1:\(port)", "--root", root ?? sandbox.root] + extra, env: env)
            let server = StartedServer(port: port, process: process)
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline && process.isRunning {
                if (try? server.request("GET", "/healthz", token: nil))?.0 == 200 { return server }
                usleep(50_000)
            }
            failure = "\(server.stop())"
        }
        throw AgentStartError(message: "loopseal serve did not start: \(failure)")
    }

    /// Stops the server (SIGTERM, then SIGKILL) and returns what it printed.
    @discardableResult
    func stop() -> RunResult {
        if let result { return result }
        process.send(SIGTERM)
        let finished = process.wait(timeout: 10)
        result = finished
        return finished
    }

    /// One request; returns the status and body text.
    func request(_ method: String, _ path: String, token: String?, body: String? = nil,
                 headers: [String: String] = [:]) throws -> (Int, String) {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: request) { data, response, error in
            box.set((response as? HTTPURLResponse)?.statusCode ?? -1, data.map { String(decoding: $0, as: UTF8.self) } ?? "\(error.map { "\($0)" } ?? "")")
            done.signal()
        }.resume()
        done.wait()
        return box.value
    }

    private final class ResponseBox: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: (Int, String) = (-1, "")
        func set(_ status: Int, _ text: String) { lock.withLock { stored = (status, text) } }
        var value: (Int, String) { lock.withLock { stored } }
    }
}
