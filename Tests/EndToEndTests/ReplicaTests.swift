import Dispatch
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Must-hold 1 of issue 17: three `loopseal serve --git-push` replicas, each on its own clone of
/// one bare remote, share nothing else. 300 concurrent upserts are spread over them (some to
/// the same keys) while one replica is killed with SIGKILL and restarted. Afterwards every
/// acknowledged write is in the remote's history, each key ends at a write no acknowledged
/// write followed, every file opens, the replicas list the same keys, and a token created in
/// replica 1's clone works on all three until it is revoked in replica 3's.
@Suite("replicas over git")
struct ReplicaTests {
    static let writes = 300
    static let threads = 12
    static let hotKeys = 4
    static let pullInterval = "1"

    @Test("3 replicas, 300 concurrent upserts, one SIGKILL and restart: nothing acknowledged is lost, all converge, tokens travel")
    func threeReplicas() throws {
        let box = try Sandbox("replicas")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        // The replicas' shared session key: it signs the token records and the web sessions.
        let sessionKey = try box.keygen("server").path
        try box.initWorkspace("alpha", [alice])
        let remote = "\(box.root)/remote.git"
        try git(box, ["init", "-q", "--bare", "-b", "main", remote], in: box.root)
        try git(box, ["init", "-q", "-b", "main"], in: box.root)
        try git(box, ["add", "workspaces"], in: box.root)
        try git(box, ["commit", "-q", "-m", "workspace alpha"], in: box.root)
        try git(box, ["push", "-q", remote, "main"], in: box.root)
        let clones = (1...3).map { "\(box.root)/replica-\($0)" }
        for clone in clones { try git(box, ["clone", "-q", remote, clone], in: box.root) }

        func start(_ index: Int) throws -> StartedServer {
            try StartedServer.start(box, env: ["LOOPSEAL_STATE": "\(box.root)/state-\(index)"],
                                    extra: ["--git-push", "--pull-interval", Self.pullInterval, "--session-key", sessionKey], root: clones[index])
        }
        let servers = ServerSet(try (0..<3).map(start))
        defer { servers.all.forEach { $0.stop() } }

        // A token made in replica 1's clone works on all three (replica 1 pushes it; 2 and 3 pull it).
        let created = try box.ok(["token", "create", "--shared", "--session-key", sessionKey, "--root", clones[0], "-w", "alpha", "--role", "admin", "--json"])
        let tokenObject = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout)) as? [String: Any])
        let token = try #require(tokenObject["token"] as? String)
        let tokenID = try #require(tokenObject["id"] as? String)
        let list = "/api/v1/workspaces/alpha/secrets"
        for server in servers.all {
            #expect(waitUntil(30) { (try? server.request("GET", list, token: token))?.0 == 200 },
                    "the token made on replica 1 never worked on port \(server.port)")
        }
        let other = try box.ok(["token", "create", "--shared", "--session-key", sessionKey, "--root", clones[0], "-w", "beta", "--role", "admin", "--json"])
        let otherToken = try #require((try JSONSerialization.jsonObject(with: Data(other.stdout)) as? [String: Any])?["token"] as? String)

        // 300 upserts from 12 threads, spread over the replicas; every fifth goes to one of 4 hot keys.
        let ledger = ReplicaLedger()
        let next = Counter()
        let workers = (0..<Self.threads).map { _ in
            Thread {
                var connections: [Int: (port: Int, connection: KeepAliveConnection)] = [:]
                while case let index = next.take(), index < Self.writes {
                    let replica = index % 3
                    let port = servers.port(replica)
                    if connections[replica]?.port != port {
                        connections[replica]?.connection.close()
                        connections[replica] = (try? KeepAliveConnection(port: port, timeout: 60)).map { (port, $0) }
                    }
                    let key = index % 5 == 0 ? "HOT_\(index % Self.hotKeys)" : "KEY_\(index)"
                    let value = "value-\(index)-\(UInt64.random(in: 0...UInt64.max))"
                    let started = Date()
                    var status = -1
                    if let connection = connections[replica]?.connection {
                        status = (try? connection.put("\(list)/upsert", body: #"{"key":"\#(key)","value":"\#(value)"}"#, token: token)) ?? -1
                    }
                    if status == -1 { connections[replica]?.connection.close(); connections[replica] = nil }
                    ledger.record(ReplicaWrite(index: index, replica: replica, key: key, value: value,
                                               started: started, ended: Date(), status: status))
                }
                connections.values.forEach { $0.connection.close() }
            }
        }
        workers.forEach { $0.start() }
        #expect(waitUntil(120) { ledger.acknowledged.count >= 100 }, "100 writes were never acknowledged: \(ledger.summary)")
        let killed = servers.server(1)
        killed.process.send(SIGKILL)
        let result = killed.process.wait()
        #expect(result.signaled && result.status == SIGKILL, "\(result)")
        usleep(500_000)
        servers.replace(1, with: try start(1))
        #expect(waitUntil(300) { workers.allSatisfy(\.isFinished) }, "the writers did not finish: \(ledger.summary)")
        let acknowledged = ledger.acknowledged
        #expect(acknowledged.count >= Self.writes / 2, "too few writes were acknowledged to prove anything: \(ledger.summary)")
        #expect(acknowledged.allSatisfy { $0.status == 200 }, "\(ledger.summary)")

        // The replicas converge on the remote's keys.
        let verify = "\(box.root)/verify"
        try git(box, ["clone", "-q", remote, verify], in: box.root)
        let identity = ["-i", alice.path, "--root", verify]
        var remoteKeys: [String] = []
        let converged = waitUntil(60) {
            _ = try? git(box, ["pull", "-q", "--ff-only"], in: verify)
            remoteKeys = ((try? box.keysJSON(["--root", verify])) ?? []).compactMap { $0["key"] as? String }.sorted()
            return servers.all.allSatisfy { server in
                guard let (status, body) = try? server.request("GET", list, token: token), status == 200,
                      let items = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] else { return false }
                return items.compactMap { $0["key"] as? String }.sorted() == remoteKeys
            }
        }
        #expect(converged, "the replicas do not list the remote's keys")
        for write in acknowledged { #expect(remoteKeys.contains(write.key), "acknowledged write \(write.index) to \(write.key) is not in the remote") }

        // Every file opens; every acknowledged value is in the key's history; each key ends at a
        // write that no acknowledged write started after.
        let final = try box.exportJSON(identity)
        for (key, writes) in Dictionary(grouping: ledger.all, by: \.key) {
            let overwritten = writes.filter { $0.status == 200 && $0.value != final[key] }
            if !overwritten.isEmpty {
                let history = try historyValues(box, key: key, root: verify, identity: alice.path)
                for write in overwritten {
                    #expect(history.contains(write.value), "acknowledged write \(write.index) to \(key) is not in the remote's history")
                }
            }
            guard let value = final[key] else {
                #expect(writes.allSatisfy { $0.status != 200 }, "\(key) is missing though a write to it was acknowledged")
                continue
            }
            let winner = try #require(writes.first { $0.value == value }, "\(key) holds a value nobody wrote")
            let later = writes.filter { $0.status == 200 && $0.started > winner.ended }
            #expect(later.isEmpty, "\(key) ends at write \(winner.index), but acknowledged write(s) \(later.map(\.index)) started after it was answered")
        }

        // Scoping and the canary on every replica: another workspace's token sees nothing; no value in any log.
        for server in servers.all {
            #expect((try? server.request("GET", list, token: otherToken))?.0 == 404)
        }
        var logs = servers.all.map { $0.stop().stderr }
        logs.append(result.stderr)
        let history = try git(box, ["log", "-p", "--all"], in: verify)
        for write in ledger.all {
            #expect(!logs.contains { $0.contains(write.value) }, "a server log holds the value of write \(write.index)")
            #expect(!history.contains(write.value), "the git history holds the value of write \(write.index) in clear")
        }

        // Revoked in replica 3's clone: refused by all three within a few pull intervals.
        let restarted = ServerSet(try (0..<3).map(start))
        defer { restarted.all.forEach { $0.stop() } }
        for server in restarted.all { #expect(waitUntil(30) { (try? server.request("GET", list, token: token))?.0 == 200 }) }
        try box.ok(["token", "revoke", "--shared", "--session-key", sessionKey, "--root", clones[2], tokenID])
        for server in restarted.all {
            #expect(waitUntil(30) { (try? server.request("GET", list, token: token))?.0 == 401 },
                    "the token revoked on replica 3 still works on port \(server.port)")
        }
        print("replicas: \(acknowledged.count) of \(Self.writes) upserts acknowledged over 3 replicas, one killed")
    }

    /// Every value `key` ever had in the history of the clone at `root`.
    private func historyValues(_ box: Sandbox, key: String, root: String, identity: String) throws -> Set<String> {
        let log = try box.ok(["log", key, "--json", "--root", root, "-i", identity])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout)) as? [[String: Any]])
        var values = Set<String>()
        for commit in entries.compactMap({ $0["commit"] as? String }) {
            let shown = try box.run(["get", key, "--at", commit, "--root", root, "-i", identity])
            if shown.status == 0 { values.insert(shown.stdoutText) }
        }
        return values
    }

    @discardableResult
    private func git(_ box: Sandbox, _ arguments: [String], in directory: String) throws -> String {
        let identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
        let result = try box.runner.runTool("/usr/bin/env", ["git", "-C", directory] + identity + arguments)
        try #require(result.status == 0, "\(result)")
        return result.stdoutText
    }
}

/// The three servers; one may be replaced while writers read its port.
private final class ServerSet: @unchecked Sendable {
    private let lock = NSLock()
    private var servers: [StartedServer]

    init(_ servers: [StartedServer]) { self.servers = servers }

    var all: [StartedServer] { lock.withLock { servers } }
    func server(_ index: Int) -> StartedServer { lock.withLock { servers[index] } }
    func port(_ index: Int) -> Int { lock.withLock { servers[index].port } }
    func replace(_ index: Int, with server: StartedServer) { lock.withLock { servers[index] = server } }
}

/// One upsert as the client saw it; status -1 when it got no answer.
private struct ReplicaWrite: Sendable {
    var index: Int
    var replica: Int
    var key: String
    var value: String
    var started: Date
    var ended: Date
    var status: Int
}

private final class ReplicaLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var writes: [ReplicaWrite] = []

    func record(_ write: ReplicaWrite) { lock.withLock { writes.append(write) } }
    var all: [ReplicaWrite] { lock.withLock { writes } }
    var acknowledged: [ReplicaWrite] { all.filter { (200..<300).contains($0.status) } }
    var summary: String {
        let counts = Dictionary(grouping: all, by: \.status).mapValues(\.count)
        return "\(all.count) writes, by status: \(counts.sorted { $0.key < $1.key })"
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take() -> Int { lock.withLock { defer { value += 1 }; return value } }
}
