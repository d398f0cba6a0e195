import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealCrypto
import LoopsealServer
import LoopsealStore
@testable import LoopsealSync
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One agent in a temporary folder: its key, an authorized controller, an env file and a
/// restart command that appends to a counter file.
final class AgentFixture: @unchecked Sendable {
    let directory: String
    let agent: Identity
    let controller: Identity
    let stranger: Identity
    let envFile: String
    let counter: String
    static let secret = "s3cr3t-value-\(UUID().uuidString)"
    var payload: String { "API_TOKEN='\(Self.secret)'\nDB_URL='postgres://u:p@db/app'\n" }

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-agent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        directory = url.path
        agent = try Identity.generate()
        controller = try Identity.generate()
        stranger = try Identity.generate()
        envFile = "\(directory)/app.env"
        counter = "\(directory)/counter"
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// The agent's clock: pinned, so slow test machines cannot move messages across the window.
    let now = Date()

    /// A new receiver (a fresh agent process, as far as the replay log is concerned). Its clock is
    /// pinned to `now` unless `clock` is given (a real controller stamps messages with real time).
    func receiver(clock: (@Sendable () -> Date)? = nil) throws -> AgentReceiver {
        let authorized = try AuthorizedKeys.parse("# controllers\n\(controller.publicKey) ci-deploy\n", source: "authorized_keys")
        return try AgentReceiver(.init(identity: agent, authorized: authorized, envFile: envFile,
                                       restart: ["/bin/sh", "-c", "echo x >> '\(counter)'"]),
                                 clock: clock ?? { [now] in now })
    }

    func app(_ receiver: AgentReceiver) -> some ApplicationProtocol {
        Application(router: AgentServer.router(receiver: receiver))
    }

    /// A request body as a controller makes it.
    func body(_ message: AgentMessage, from sender: Identity? = nil, to recipient: PublicKey? = nil) -> ByteBuffer {
        ByteBuffer(bytes: AgentCodec.sealRequest(message, from: sender ?? controller, to: recipient ?? agent.publicKey))
    }

    func message(_ payload: String? = nil, ts: Int64? = nil) -> AgentMessage {
        AgentMessage(target: "web1", payload: payload ?? self.payload, ts: ts ?? Int64(now.timeIntervalSince1970))
    }

    /// Puts `text` in the env file by hand (as if edited on the machine).
    func writeEnv(_ text: String) async throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: envFile))
    }

    var envContents: String? { FileManager.default.contents(atPath: envFile).map { String(decoding: $0, as: UTF8.self) } }
    var restarts: Int { (FileManager.default.contents(atPath: counter).map { String(decoding: $0, as: UTF8.self) } ?? "").split(separator: "\n").count }

    /// Nothing was written: no env file, no replay log, no restart.
    func expectNothingWritten(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!FileManager.default.fileExists(atPath: envFile), sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: envFile + ".loopseal-replay"), sourceLocation: sourceLocation)
        #expect(restarts == 0, sourceLocation: sourceLocation)
    }
}

/// Checks a refusal: status, a JSON `{"error"}` body, and no payload content in it.
func expectRefusal(_ response: TestResponse, _ status: HTTPResponse.Status, mentioning words: String,
                   sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(response.status == status, sourceLocation: sourceLocation)
    let body = String(buffer: response.body)
    #expect(!body.contains(AgentFixture.secret), sourceLocation: sourceLocation)
    #expect(!body.contains("API_TOKEN"), sourceLocation: sourceLocation)
    let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String]
    let error = try #require(object?["error"], "not a JSON error: \(body)", sourceLocation: sourceLocation)
    #expect(error.contains(words), "\(error)", sourceLocation: sourceLocation)
}

@Suite("agent HTTP server")
struct AgentServerTests {
    @Test("GET /healthz answers ok and nothing else")
    func health() async throws {
        let fixture = try AgentFixture()
        try await fixture.app(try fixture.receiver()).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
        }
    }

    @Test("an unknown sender key is refused with 403 and nothing is written")
    func unknownSender() async throws {
        let fixture = try AgentFixture()
        try await fixture.app(try fixture.receiver()).test(.router) { client in
            let response = try await client.execute(uri: "/v1/sync", method: .post, body: fixture.body(fixture.message(), from: fixture.stranger))
            try expectRefusal(response, .forbidden, mentioning: "not authorized")
        }
        fixture.expectNothingWritten()
    }

    @Test("a message boxed for another agent is refused and nothing is written")
    func boxedForAnotherAgent() async throws {
        let fixture = try AgentFixture()
        let otherAgent = try Identity.generate()
        try await fixture.app(try fixture.receiver()).test(.router) { client in
            let response = try await client.execute(uri: "/v1/sync", method: .post,
                                                    body: fixture.body(fixture.message(), to: otherAgent.publicKey))
            try expectRefusal(response, .forbidden, mentioning: "does not open")
        }
        fixture.expectNothingWritten()
    }

    @Test("a tampered box, nonce or sender is refused and nothing is written")
    func tampered() async throws {
        let fixture = try AgentFixture()
        let sealed = AgentCodec.sealRequest(fixture.message(), from: fixture.controller, to: fixture.agent.publicKey)
        let envelope = try JSONDecoder().decode(AgentEnvelope.self, from: Data(sealed))
        var box = try #require(Data(base64Encoded: envelope.box))
        box[box.count / 2] ^= 0x01
        var flippedBox = envelope
        flippedBox.box = box.base64EncodedString()
        var nonce = try #require(Data(base64Encoded: envelope.nonce))
        nonce[0] ^= 0x80
        var flippedNonce = envelope
        flippedNonce.nonce = nonce.base64EncodedString()
        // Claiming another authorized sender does not help: the box is bound to the real one.
        let second = try Identity.generate()
        var spoofed = envelope
        spoofed.sender = second.publicKey.description
        let authorized = try AuthorizedKeys.parse("\(fixture.controller.publicKey)\n\(second.publicKey)\n", source: "keys")
        let receiver = try AgentReceiver(.init(identity: fixture.agent, authorized: authorized, envFile: fixture.envFile))
        let tamperedEnvelopes = [flippedBox, flippedNonce, spoofed]
        try await fixture.app(receiver).test(.router) { client in
            for tampered in tamperedEnvelopes {
                let response = try await client.execute(uri: "/v1/sync", method: .post, body: ByteBuffer(bytes: tampered.encoded()))
                try expectRefusal(response, .forbidden, mentioning: "does not open")
            }
            let garbage = try await client.execute(uri: "/v1/sync", method: .post, body: ByteBuffer(string: "API_TOKEN=\(AgentFixture.secret)"))
            try expectRefusal(garbage, .badRequest, mentioning: "not a loopseal agent envelope")
        }
        fixture.expectNothingWritten()
    }

    @Test("a replayed message is refused, also by a restarted agent, and the file keeps the newer payload")
    func replay() async throws {
        let fixture = try AgentFixture()
        let first = fixture.message("A='1'\n")
        let second = fixture.message("A='2'\n")
        try await fixture.app(try fixture.receiver()).test(.router) { client in
            #expect(try await client.execute(uri: "/v1/sync", method: .post, body: fixture.body(first)).status == .ok)
            #expect(try await client.execute(uri: "/v1/sync", method: .post, body: fixture.body(second)).status == .ok)
            // The same message re-boxed with a new nonce, and the second box again byte for byte.
            let again = try await client.execute(uri: "/v1/sync", method: .post, body: fixture.body(first))
            try expectRefusal(again, .conflict, mentioning: "replayed")
            let secondBox = fixture.body(fixture.message("A='3'\n"))
            #expect(try await client.execute(uri: "/v1/sync", method: .post, body: secondBox).status == .ok)
            #expect(fixture.envContents == "A='3'\n")
            try await fixture.writeEnv("A='2'\n")
            let sameBytes = try await client.execute(uri: "/v1/sync", method: .post, body: secondBox)
            try expectRefusal(sameBytes, .conflict, mentioning: "replayed")
        }
        #expect(fixture.envContents == "A='2'\n")
        #expect(fixture.restarts == 3)
        // A new agent instance reads the replay log next to the env file.
        try await fixture.app(try fixture.receiver()).test(.router) { client in
            for message in [first, second] {
                let response = try await client.execute(uri: "/v1/sync", method: .post, body: fixture.body(message))
                try expectRefusal(response, .conflict, mentioning: "replayed")
            }
        }
        #expect(fixture.envContents == "A='2'\n")
        #expect(fixture.restarts == 3)
    }

    @Test("a stale timestamp is refused and nothing is written")
    func stale() async throws {
        let fixture = try AgentFixture()
        let now = Int64(fixture.now.timeIntervalSince1970)
        try await fixture.app(try fixture.receiver()).test(.router) { client in
            for ts in [now - AgentProtocol.maxAge - 1, now - 86_400, 0, Int64.min] {
                let response = try await client.execute(uri: "/v1/sync", method: .post, body: fixture.body(fixture.message(ts: ts)))
                try expectRefusal(response, .badRequest, mentioning: "old")
            }
        }
        fixture.expectNothingWritten()
    }

    @Test("a future timestamp is refused and nothing is written")
    func future() async throws {
        let fixture = try AgentFixture()
        let now = Int64(fixture.now.timeIntervalSince1970)
        try await fixture.app(try fixture.receiver()).test(.router) { client in
            for ts in [now + AgentProtocol.maxAhead + 1, now + 86_400, Int64.max] {
                let response = try await client.execute(uri: "/v1/sync", method: .post, body: fixture.body(fixture.message(ts: ts)))
                try expectRefusal(response, .badRequest, mentioning: "future")
            }
        }
        fixture.expectNothingWritten()
    }

    @Test("timestamps inside the window are accepted")
    func windowEdges() async throws {
        let fixture = try AgentFixture()
        let now = Int64(fixture.now.timeIntervalSince1970)
        try await fixture.app(try fixture.receiver()).test(.router) { client in
            for ts in [now - AgentProtocol.maxAge, now + AgentProtocol.maxAhead] {
                let response = try await client.execute(uri: "/v1/sync", method: .post, body: fixture.body(fixture.message(ts: ts)))
                #expect(response.status == .ok)
            }
        }
    }

    @Test("an oversized body is refused with 413 and nothing is written")
    func oversized() async throws {
        let fixture = try AgentFixture()
        let big = ByteBuffer(repeating: UInt8(ascii: "A"), count: AgentProtocol.maxBodyBytes + 1)
        try await fixture.app(try fixture.receiver()).test(.router) { client in
            let response = try await client.execute(uri: "/v1/sync", method: .post, body: big)
            try expectRefusal(response, .contentTooLarge, mentioning: "larger than")
        }
        // A validly boxed message that is too big, over a real socket.
        let hugePayload = "BIG='" + String(repeating: "x", count: AgentProtocol.maxBodyBytes) + "'\n"
        try await fixture.app(try fixture.receiver()).test(.live) { client in
            let response = try await client.execute(uri: "/v1/sync", method: .post, body: fixture.body(fixture.message(hugePayload)))
            try expectRefusal(response, .contentTooLarge, mentioning: "larger than")
            // A declared 8 MiB body is refused after its first byte: the agent does not wait for the rest.
            let port = try #require(client.port)
            let head = "POST /v1/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(AgentProtocol.maxBodyBytes * 8)\r\n\r\n{"
            let answer = try rawExchange(port: port, send: head)
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer)")
            #expect(answer.contains("larger than"), "\(answer)")
        }
        fixture.expectNothingWritten()
    }

    @Test("happy path: the file is written 0600 with the exact payload, the reply verifies, restart runs once per change")
    func happyPath() async throws {
        let fixture = try AgentFixture()
        try await fixture.app(try fixture.receiver()).test(.router) { client in
            func sync(_ payload: String) async throws -> AgentReply {
                let message = fixture.message(payload)
                let response = try await client.execute(uri: "/v1/sync", method: .post, body: fixture.body(message))
                #expect(response.status == .ok)
                #expect(!String(buffer: response.body).contains(AgentFixture.secret))
                return try AgentCodec.openReply(Array(buffer: response.body), identity: fixture.controller, agentKey: fixture.agent.publicKey,
                                                expectedID: message.id, payload: Array(payload.utf8))
            }
            let first = try await sync(fixture.payload)
            #expect(first.changed)
            #expect(fixture.envContents == fixture.payload)
            let mode = try FileManager.default.attributesOfItem(atPath: fixture.envFile)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(fixture.restarts == 1)

            let unchanged = try await sync(fixture.payload)
            #expect(!unchanged.changed)
            #expect(fixture.restarts == 1)

            let changedPayload = fixture.payload + "NEW_KEY='n'\n"
            let second = try await sync(changedPayload)
            #expect(second.changed)
            #expect(fixture.envContents == changedPayload)
            #expect(fixture.restarts == 2)
        }
        let replayMode = try FileManager.default.attributesOfItem(atPath: fixture.envFile + ".loopseal-replay")[.posixPermissions] as? Int
        #expect(replayMode == 0o600)
    }

    @Test("the controller's AgentTargetWriter delivers over a real socket and rejects a wrong agent key")
    func targetWriter() async throws {
        let fixture = try AgentFixture()
        // The controller below stamps its messages with the real time: so must the agent, or a
        // slow machine moves them out of the window.
        try await fixture.app(try fixture.receiver(clock: { Date() })).test(.live) { client in
            let port = try #require(client.port)
            let workspace = try Workspace(root: fixture.directory, id: "ws")
            let target = SyncTarget(name: "web1", kind: .agent, path: nil, command: nil, host: nil, url: "http://127.0.0.1:\(port)",
                                    agentKey: fixture.agent.publicKey.description, format: .dotenv, keys: nil, restart: nil,
                                    sshOptions: nil, namespace: nil)
            // Generous timeouts: under the full suite on two cores a delivery can take over 10 s, and
            // a timeout would hide the refusal this test is about.
            let writer = AgentTargetWriter(identity: fixture.controller, timeout: 60)
            let payload = Array(fixture.payload.utf8)
            let good = target
            try await blocking { try writer.deliver(payload, to: good, workspace: workspace, secrets: [Array(AgentFixture.secret.utf8)]) }
            #expect(fixture.envContents == fixture.payload)

            var otherAgent = target
            otherAgent.agentKey = try Identity.generate().publicKey.description
            let wrongKey = otherAgent
            let error = await #expect(throws: SyncError.self) {
                try await blocking { try writer.deliver(payload, to: wrongKey, workspace: workspace, secrets: []) }
            }
            #expect(error?.message.contains("HTTP 403") == true)

            let stranger = AgentTargetWriter(identity: fixture.stranger, timeout: 60)
            let refused = await #expect(throws: SyncError.self) {
                try await blocking { try stranger.deliver(payload, to: good, workspace: workspace, secrets: []) }
            }
            #expect(refused?.message.contains("not authorized") == true)
        }
    }
}

/// Runs blocking work (URLSession with a semaphore) off the cooperative pool.
func blocking(_ work: @escaping @Sendable () throws -> Void) async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        Thread {
            do { try work(); continuation.resume() } catch { continuation.resume(throwing: error) }
        }.start()
    }
}

/// Sends `text` on a new loopback connection and returns what arrives within 5 s (or until
/// the server closes), without sending anything more.
func rawExchange(port: Int, send text: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    defer { close(fd) }
    // Generous: under the full suite (floods of 2,000 connections beside it) an answer can take seconds.
    var timeout = timeval(tv_sec: 20, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(connected == 0, "cannot connect to 127.0.0.1:\(port)")
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var received: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while !String(decoding: received, as: UTF8.self).contains("}") {
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        received += chunk[0..<n]
    }
    return String(decoding: received, as: UTF8.self)
}
