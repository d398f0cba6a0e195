import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

@Suite("loopseal agent end to end")
struct AgentTests {
    @Test("two real agents receive `loopseal sync`, restart once per change and not for an unchanged payload")
    func twoAgents() throws {
        let sandbox = try Sandbox("agent")
        defer { sandbox.remove() }
        let alice = try sandbox.keygen("alice")
        try sandbox.initWorkspace("ws", [alice])
        try sandbox.set("API_TOKEN", "first-token-\(UUID().uuidString)")
        try sandbox.set("DB_URL", "postgres://app:pw@db/app?x='1'")
        let authorized = "\(sandbox.root)/controllers"
        try writeBytes(Array("# the controller\n\(alice.publicKey) alice\n".utf8), to: authorized)

        var agents: [StartedAgent] = []
        defer { for agent in agents { agent.stop() } }
        for name in ["web1", "web2"] {
            let key = try sandbox.keygen(name)
            let folder = "\(sandbox.root)/\(name)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            agents.append(try StartedAgent.start(sandbox, name: name, key: key, authorized: authorized, folder: folder))
        }
        let targets = agents.map { "  - { name: \($0.name), type: agent, url: \"http://127.0.0.1:\($0.port)\", agent: \($0.publicKey) }\n" }.joined()
        let yaml = "workspace: ws\nrecipients:\n  alice: \(alice.publicKey)\ntargets:\n" + targets
        try writeBytes(Array(yaml.utf8), to: "\(sandbox.workspaceDir("ws"))/workspace.yaml")

        func expected() throws -> [UInt8] { try sandbox.ok(["export", "--format", "dotenv", "-i", alice.path]).stdout }

        let first = try sandbox.ok(["sync", "-i", alice.path])
        #expect(first.stdoutText.contains("web1 (agent): written"), "\(first)")
        #expect(first.stdoutText.contains("web2 (agent): written"), "\(first)")
        let payload1 = try expected()
        for agent in agents {
            #expect(try readBytes(agent.envFile) == payload1)
            let mode = try FileManager.default.attributesOfItem(atPath: agent.envFile)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(agent.restarts == 1)
        }

        // A changed secret reaches both agents and restarts each once.
        try sandbox.set("API_TOKEN", "second-token-\(UUID().uuidString)")
        try sandbox.ok(["sync", "-i", alice.path])
        let payload2 = try expected()
        #expect(payload2 != payload1)
        for agent in agents {
            #expect(try readBytes(agent.envFile) == payload2)
            #expect(agent.restarts == 2)
        }

        // Nothing changed: the controller skips the targets.
        let unchanged = try sandbox.ok(["sync", "-i", alice.path])
        #expect(unchanged.stdoutText.contains("web1 (agent): unchanged"), "\(unchanged)")
        // Forget the controller's sync state so it sends the same payload again: the agents
        // answer unchanged and do not restart.
        try FileManager.default.removeItem(atPath: "\(sandbox.workspaceDir("ws"))/.loopseal/sync-state.json")
        try sandbox.ok(["sync", "-i", alice.path])
        for agent in agents {
            #expect(try readBytes(agent.envFile) == payload2)
            #expect(agent.restarts == 2)
        }

        // A controller key the agents do not list is refused, and says so. The first identity
        // is the controller key; alice's (second) still opens the secrets.
        let mallory = try sandbox.keygen("mallory")
        try FileManager.default.removeItem(atPath: "\(sandbox.workspaceDir("ws"))/.loopseal/sync-state.json")
        let refused = try sandbox.run(["sync", "-i", mallory.path, "-i", alice.path])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("not authorized"), "\(refused)")
        #expect(!refused.stderr.contains("second-token"))
        for agent in agents { #expect(try readBytes(agent.envFile) == payload2) }

        for agent in agents {
            let result = agent.stop()
            #expect(!result.stderr.contains("token-"), "the agent logged a value: \(result.stderr)")
            #expect(result.stderr.contains("API_TOKEN"), "the agent should log key names: \(result.stderr)")
        }
        agents = []
    }
}

/// A connection flood against `loopseal agent`, as against `serve` (``ServeFloodTests``).
@Suite("loopseal agent under a connection flood")
struct AgentFloodTests {
    @Test("2,000 connections that never finish their head: /healthz answers while they are open, and they are closed after --header-timeout")
    func unfinishedHeads() throws {
        let sandbox = try Sandbox("agent-flood")
        defer { sandbox.remove() }
        let agent = try StartedAgent.startAlone(sandbox, extra: ["--header-timeout", "10"])
        defer { agent.stop() }
        try UnfinishedHeadFlood.check(port: agent.port, headerTimeout: 10)
        #expect(StartedAgent.health(port: agent.port))
    }
}

/// A `loopseal agent` process on a free loopback port.
final class StartedAgent: @unchecked Sendable {
    let name: String
    let port: Int
    let publicKey: String
    let envFile: String
    let counter: String
    let process: RunningProcess
    private var result: RunResult?

    private init(name: String, port: Int, publicKey: String, envFile: String, counter: String, process: RunningProcess) {
        self.name = name
        self.port = port
        self.publicKey = publicKey
        self.envFile = envFile
        self.counter = counter
        self.process = process
    }

    /// Lines in the counter file: how often the restart command ran.
    var restarts: Int {
        ((try? readBytes(counter)).map { String(decoding: $0, as: UTF8.self) } ?? "").split(separator: "\n").count
    }

    /// Starts the agent and waits for `/healthz`; retries on another port if the one picked was taken.
    static func start(_ sandbox: Sandbox, name: String, key: Sandbox.Key, authorized: String, folder: String,
                      extra: [String] = []) throws -> StartedAgent {
        let envFile = "\(folder)/app.env"
        let counter = "\(folder)/counter"
        var lastFailure = ""
        for _ in 0..<5 {
            let port = try freeLoopbackPort()
            let process = try sandbox.runner.start([
                "agent", "--listen", "127.0.0.1:\(port)", "--identity", key.path, "--authorized-keys", authorized,
                "--env-file", envFile] + extra + ["--restart", "sh", "-c", "echo x >> '\(counter)'",
            ], cwd: folder)
            let agent = StartedAgent(name: name, port: port, publicKey: key.publicKey, envFile: envFile, counter: counter, process: process)
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline && process.isRunning {
                if health(port: port) { return agent }
                usleep(50_000)
            }
            lastFailure = "\(agent.stop())"
        }
        throw AgentStartError(message: "agent \(name) did not become healthy: \(lastFailure)")
    }

    /// An agent `web1` accepting one controller key, for tests that only talk HTTP to it.
    static func startAlone(_ sandbox: Sandbox, extra: [String] = []) throws -> StartedAgent {
        let controller = try sandbox.keygen("controller")
        let authorized = "\(sandbox.root)/controllers"
        try writeBytes(Array("\(controller.publicKey) controller\n".utf8), to: authorized)
        let folder = "\(sandbox.root)/web1"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return try start(sandbox, name: "web1", key: try sandbox.keygen("web1"), authorized: authorized, folder: folder, extra: extra)
    }

    /// Stops the agent (SIGTERM, then SIGKILL) and returns what it printed.
    @discardableResult
    func stop() -> RunResult {
        if let result { return result }
        process.send(SIGTERM)
        let finished = process.wait(timeout: 10)
        result = finished
        return finished
    }

    /// True when `GET /healthz` answers 200 `{"status":"ok"}`.
    static func health(port: Int) -> Bool {
        guard let url = URL(string: "http://127.0.0.1:\(port)/healthz") else { return false }
        let done = DispatchSemaphore(value: 0)
        let ok = Flag()
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: URLRequest(url: url, timeoutInterval: 2)) { data, response, _ in
            if (response as? HTTPURLResponse)?.statusCode == 200, data.map({ String(decoding: $0, as: UTF8.self) }) == #"{"status":"ok"}"# {
                ok.set()
            }
            done.signal()
        }.resume()
        done.wait()
        return ok.value
    }

    private final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var raised = false
        func set() { lock.withLock { raised = true } }
        var value: Bool { lock.withLock { raised } }
    }
}

struct AgentStartError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A port that was free on 127.0.0.1 a moment ago (bound to port 0, read back, closed).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw AgentStartError(message: "socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw AgentStartError(message: "bind(127.0.0.1:0) failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw AgentStartError(message: "getsockname failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
