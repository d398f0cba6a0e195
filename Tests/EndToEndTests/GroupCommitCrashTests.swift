import Dispatch
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Must-hold 2 of issue 17: `kill -9` of the real `loopseal serve` during a stream of
/// concurrent upserts, which the server applies in batches (group commit). After every kill,
/// every write answered 2xx is on disk with its value (or a value written after it), every
/// sealed file opens, no temporary file is visible as a secret, and every answered write has
/// its audit line.
@Suite("group commit: kill -9 during batched upserts")
struct GroupCommitCrashTests {
    /// Writer threads; each owns `keysPerWriter` keys and also writes the shared key.
    static let writers = 12
    static let keysPerWriter = 3

    @Test("20 kills of 'loopseal serve' mid-stream: every acknowledged upsert survives and opens")
    func killedServer() throws {
        let box = try Sandbox("group-commit-crash")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("crash", [alice])
        let env: [String: String?] = ["LOOPSEAL_STATE": "\(box.root)/state"]
        let token = try box.run(["token", "create", "-w", "crash", "--role", "writer"], env: env).stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let secretsDir = "\(box.workspaceDir("crash"))/secrets"
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SplitMix64(state: seed)
        let ledger = UpsertLedger()
        var interrupted = 0
        for round in 0..<20 {
            let context = "round \(round), seed \(seed)"
            let server = try StartedServer.start(box, env: env)
            let stop = StopFlag()
            let acked = AckCounter()
            let workers = (0..<Self.writers).map { writer in
                Thread { Self.write(round: round, writer: writer, port: server.port, token: token, ledger: ledger, acked: acked, stop: stop) }
            }
            workers.forEach { $0.start() }
            // Let the stream get going (batches form once requests queue up), then kill at a random moment.
            _ = waitUntil(10) { acked.count >= 20 }
            usleep(UInt32.random(in: 0...200_000, using: &rng))
            server.process.send(SIGKILL)
            let result = server.process.wait()
            #expect(result.signaled && result.status == SIGKILL, "\(context): \(result)")
            stop.set()
            let stopped = waitUntil(20) { workers.allSatisfy { $0.isFinished } }
            try #require(stopped, "\(context): a writer thread did not stop")
            interrupted += ledger.inFlight(round: round)

            // No temporary file visible as a secret; hidden ones are `.KEY.sealed.tmp-XXXXXX`.
            let entries = try FileManager.default.contentsOfDirectory(atPath: secretsDir)
            #expect(entries.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".sealed") }.isEmpty, "\(context): \(entries)")
            #expect(entries.filter { $0.hasPrefix(".") && !$0.contains(".sealed.tmp-") }.isEmpty, "\(context): \(entries)")

            // Every sealed file parses and opens (export reads them all), and holds what was acknowledged.
            let opened = try box.exportJSON(["-i", alice.path])
            for problem in ledger.problems(in: opened) { Issue.record("\(context): \(problem)") }
            #expect(try box.ok(["get", "SHARED", "-i", alice.path]).stdoutText == opened["SHARED"], "\(context)")

            // Every acknowledged write was audited before it was answered.
            let audited = try auditCounts("\(box.root)/state/audit.jsonl")
            for (key, count) in ledger.ackedCounts() where audited[key, default: 0] < count {
                Issue.record("\(context): \(key) has \(audited[key, default: 0]) audit lines for \(count) acknowledged writes")
            }
        }
        #expect(ledger.ackedTotal() > 20 * 20, "the writers got answers")
        #expect(interrupted > 0, "no write was ever cut short by a kill: the test exercised nothing")
        print("group commit crash: \(ledger.ackedTotal()) acknowledged upserts, \(interrupted) cut short by 20 kills, seed \(seed)")
    }

    /// One writer thread: upserts on one keep-alive connection until the server is gone. Every
    /// third write goes to `SHARED`; the others cycle through the writer's own keys.
    private static func write(round: Int, writer: Int, port: Int, token: String, ledger: UpsertLedger,
                              acked: AckCounter, stop: StopFlag) {
        guard let connection = try? KeepAliveConnection(port: port) else { return }
        defer { connection.close() }
        var sequence = 0
        while !stop.isSet {
            sequence += 1
            let key = sequence % 3 == 0 ? "SHARED" : "W\(writer)_K\(sequence % keysPerWriter)"
            let value = "r\(round)-w\(writer)-s\(sequence)-" + String(repeating: "x", count: (sequence * 37 + writer * 11) % 1500)
            let body = #"{"key":"\#(key)","value":"\#(value)"}"#
            let write = ledger.sent(round: round, key: key, value: value)
            guard let status = try? connection.put("/api/v1/workspaces/crash/secrets/upsert", body: body, token: token) else { return }
            guard status == 200 else {
                ledger.failed(write, status: status)
                return
            }
            ledger.acked(write)
            acked.increment()
        }
    }

    /// Audit lines per key.
    private func auditCounts(_ path: String) throws -> [String: Int] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var counts: [String: Int] = [:]
        // A kill in the middle of an append may leave a last line without its line break: that
        // batch was never answered, and the next start cuts it off.
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() where !line.isEmpty {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "audit line: \(line)")
            if let key = object["key"] as? String { counts[key, default: 0] += 1 }
        }
        return counts
    }
}

/// Every upsert sent, in order per key, with when it was sent and when (if ever) it was answered 2xx.
private final class UpsertLedger: @unchecked Sendable {
    struct Write {
        let round: Int
        let key: String
        let value: String
        let sentAt: UInt64
        var ackedAt: UInt64?
        var failedStatus: Int?
    }

    private let lock = NSLock()
    private var writes: [Write] = []

    /// Records a write about to be sent; returns its index.
    func sent(round: Int, key: String, value: String) -> Int {
        lock.withLock {
            writes.append(Write(round: round, key: key, value: value, sentAt: DispatchTime.now().uptimeNanoseconds))
            return writes.count - 1
        }
    }

    func acked(_ index: Int) { lock.withLock { writes[index].ackedAt = DispatchTime.now().uptimeNanoseconds } }

    func failed(_ index: Int, status: Int) { lock.withLock { writes[index].failedStatus = status } }

    /// Writes of `round` sent and never answered: cut short by the kill.
    func inFlight(round: Int) -> Int {
        lock.withLock { writes.filter { $0.round == round && $0.ackedAt == nil && $0.failedStatus == nil }.count }
    }

    func ackedTotal() -> Int { lock.withLock { writes.filter { $0.ackedAt != nil }.count } }

    func ackedCounts() -> [String: Int] {
        lock.withLock { writes.filter { $0.ackedAt != nil }.reduce(into: [:]) { $0[$1.key, default: 0] += 1 } }
    }

    /// What `opened` (key to value, from export) breaks: a write answered with an error, a key
    /// holding a value never sent, or a value older than an acknowledged one. A writer's own key
    /// is written one write after another, so it must hold its last acknowledged value or one
    /// sent after it. `SHARED` is written concurrently: its value must not come from a write
    /// answered before an acknowledged write to it was even sent.
    func problems(in opened: [String: String]) -> [String] {
        lock.withLock {
            var problems = writes.compactMap { write in
                write.failedStatus.map { "\(write.key) was answered \($0), not 200" }
            }
            let byKey = Dictionary(grouping: writes, by: \.key)
            for (key, history) in byKey {
                let lastAcked = history.lastIndex { $0.ackedAt != nil }
                guard let value = opened[key] else {
                    if lastAcked != nil { problems.append("\(key) is missing after an acknowledged write") }
                    continue
                }
                guard let index = history.lastIndex(where: { $0.value == value }) else {
                    problems.append("\(key) holds a value that was never sent")
                    continue
                }
                if key == "SHARED" {
                    if let answered = history[index].ackedAt, let later = history.first(where: { $0.ackedAt != nil && $0.sentAt > answered }) {
                        problems.append("SHARED holds \(history[index].value.prefix(20)) though \(later.value.prefix(20)) was sent after it was answered and acknowledged")
                    }
                } else if let lastAcked, index < lastAcked {
                    problems.append("\(key) holds \(value.prefix(20)), older than its acknowledged \(history[lastAcked].value.prefix(20))")
                }
            }
            return problems
        }
    }
}

/// A flag the test sets once to stop the writer threads.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Answers counted across the writer threads of a round.
private final class AckCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var count: Int { lock.withLock { value } }
    func increment() { lock.withLock { value += 1 } }
}

/// One HTTP/1.1 keep-alive connection sending requests one after another; a closed or reset
/// connection (the server was killed) is an error.
final class KeepAliveConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `port`; a response that takes longer than `timeout` seconds is an error.
    init(port: Int, timeout: Int = 5) throws {
        fd = try RawHTTP.connect(port: port)
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    func close() { Glibc.close(fd) }

    /// Sends a PUT with a JSON body and returns the status once the whole response is read.
    func put(_ path: String, body: String, token: String) throws -> Int {
        let head = "PUT \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        try RawHTTP.send(fd, Array((head + body).utf8))
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffer.indices.dropLast(3).first { Array(buffer[$0..<$0 + 4]) == separator }
            if headEnd == nil { try receive() }
        }
        let end = headEnd! + 4
        let headText = String(decoding: buffer[..<end], as: UTF8.self)
        let status = headText.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? -1
        let length = headText.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        while buffer.count < end + length { try receive() }
        buffer.removeFirst(end + length)
        return status
    }

    private func receive() throws {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw RawHTTP.Failure(description: count == 0 ? "closed" : String(cString: strerror(errno))) }
        buffer += chunk[0..<count]
    }
}
