import Foundation
import LoopsealCrypto
@testable import LoopsealServer
import LoopsealStore
import Testing

/// `serve --git-push`: replicas that share nothing but a git remote. Each batch is pushed before
/// it is answered; a push another replica beat is rebuilt on the new tip (the later write of a
/// key wins, and says so); a push that fails leaves nothing behind; pulls make lists converge;
/// a restart drops what a killed replica left unpushed.
@Suite("replicas over git: push, rebuild, pull, restart")
struct ReplicaPushTests {
    @Test("the same key on two replicas: the later write wins on the remote, history holds both, the commit and audit name the one replaced")
    func sameKeyLaterWriteWins() async throws {
        let fixture = try ReplicaFixture()
        let one = try fixture.core(0), two = try fixture.core(1)
        _ = try await one.upsertSecret(try fixture.alpha(0), key: "K", value: try secretValue("first"), token: try fixture.writer(one))
        let first = try ReplicaFixture.git(["rev-parse", "main"], in: fixture.remote)
        // Replica 2 has not pulled: its push is rejected, rebuilt on the remote's tip and pushed again.
        _ = try await two.upsertSecret(try fixture.alpha(1), key: "K", value: try secretValue("second"), token: try fixture.writer(two))
        #expect(try fixture.remoteReveal("K") == "second")
        let history = try ReplicaFixture.git(["log", "--format=%H", "main", "--", ReplicaFixture.path("K")], in: fixture.remote)
        #expect(history.split(separator: "\n").count == 2 && history.hasSuffix(first), "\(history)")
        let message = try ReplicaFixture.git(["log", "-1", "--format=%B", "main"], in: fixture.remote)
        #expect(message.hasPrefix("loopseal: upsert K in workspace alpha"))
        #expect(message.contains("replaced a concurrent write from \(first.prefix(7))"), "\(message)")
        #expect(try ReplicaFixture.git(["rev-parse", "main^"], in: fixture.remote) == first)
        let replaced = try #require(try two.audit.entries().last?.replaced)
        #expect(first.hasPrefix(replaced))
        #expect(try one.audit.entries().last?.replaced == nil)
        // Replica 2's clone follows the commit it pushed; replica 1 catches up at its next pull.
        #expect(try ReplicaFixture.git(["rev-parse", "HEAD"], in: fixture.clones[1]) == ReplicaFixture.git(["rev-parse", "main"], in: fixture.remote))
        // (Its pull may push tokens of its own first, under server/: then it is at the tip already.)
        let pulled = await one.replica?.pull()
        let tip = try ReplicaFixture.git(["rev-parse", "main"], in: fixture.remote)
        #expect(pulled == .upToDate || pulled == .advanced(tip))
        #expect(try ReplicaFixture.git(["rev-parse", "HEAD"], in: fixture.clones[0]) == ReplicaFixture.git(["rev-parse", "main"], in: fixture.remote))
        #expect(try fixture.reveal("K", in: 0) == "second")
        for clone in fixture.clones {
            let status = try ReplicaFixture.git(["status", "--porcelain", "--", "workspaces"], in: clone)
            #expect(status.isEmpty, "\(status)")
        }
    }

    @Test("concurrent upserts on two replicas, to distinct keys and to one key: every one answered is pushed, and both list the same")
    func concurrentUpsertsAllPushed() async throws {
        let fixture = try ReplicaFixture()
        let cores = [try fixture.core(0), try fixture.core(1)]
        let tokens = try cores.map(fixture.writer)
        let workspaces = [try fixture.alpha(0), try fixture.alpha(1)]
        let perReplica = 12
        let written = try await withThrowingTaskGroup(of: (String, String).self) { group in
            for replica in 0..<2 {
                for index in 0..<perReplica {
                    let key = index % 4 == 0 ? "HOT" : "K\(replica)_\(index)"
                    let text = "r\(replica)-\(index)"
                    group.addTask {
                        _ = try await cores[replica].upsertSecret(workspaces[replica], key: key, value: try secretValue(text), token: tokens[replica])
                        return (key, text)
                    }
                }
            }
            return try await group.reduce(into: [(String, String)]()) { $0.append($1) }
        }
        #expect(written.count == 2 * perReplica)
        // Twice: a replica's pull may push tokens of its own (server/) the other pulls next time.
        for core in cores + cores { _ = await core.replica?.pull() }
        let tip = try ReplicaFixture.git(["rev-parse", "main"], in: fixture.remote)
        let keys = Set(written.map(\.0))
        for (index, core) in cores.enumerated() {
            #expect(try ReplicaFixture.git(["rev-parse", "HEAD"], in: fixture.clones[index]) == tip)
            #expect(Set(try await core.listSecrets(try fixture.alpha(index)).map(\.key)) == keys)
            #expect(try ReplicaFixture.git(["status", "--porcelain", "--", "workspaces"], in: fixture.clones[index]).isEmpty)
        }
        for (key, text) in written where key != "HOT" { #expect(try fixture.remoteReveal(key) == text) }
        #expect(Set(written.filter { $0.0 == "HOT" }.map(\.1)).contains(try fixture.remoteReveal("HOT")))
        let tree = try ReplicaFixture.git(["ls-tree", "--name-only", "main", "workspaces/alpha/secrets/"], in: fixture.remote)
        #expect(Set(tree.split(separator: "\n").map { String($0.split(separator: "/").last ?? "").replacingOccurrences(of: ".sealed", with: "") }) == keys)
    }

    @Test("a write on replica 1 shows in replica 2's list (from memory) after a pull, and so does a delete")
    func listsConvergeAfterPull() async throws {
        let fixture = try ReplicaFixture()
        let one = try fixture.core(0), two = try fixture.core(1)
        let token = try fixture.writer(one)
        _ = try await one.upsertSecret(try fixture.alpha(0), key: "OLD", value: try secretValue("o"), token: token)
        _ = await two.replica?.pull()
        #expect(try await two.listSecrets(try fixture.alpha(1)).map(\.key) == ["OLD"])
        #expect(try await two.listSecrets(try fixture.alpha(1)).map(\.key) == ["OLD"])
        let created = try await one.upsertSecret(try fixture.alpha(0), key: "NEW", value: try secretValue("n"), token: token)
        let old = try #require(try await one.listSecrets(try fixture.alpha(0)).first { $0.key == "OLD" })
        try await one.deleteSecret(try fixture.alpha(0), id: old.id, token: token)
        #expect(try await two.listSecrets(try fixture.alpha(1)).map(\.key) == ["OLD"])
        await two.replica?.pullNow()
        let listed = try await two.listSecrets(try fixture.alpha(1))
        #expect(listed.map(\.key) == ["NEW"])
        #expect(listed.first?.id == created.id)
    }

    @Test("a clone whose work tree cannot follow a rebuilt push at once (a file being written there) keeps its commit and catches up at a later pull")
    func workTreeCatchesUpLater() async throws {
        let fixture = try ReplicaFixture()
        let one = try fixture.core(0), two = try fixture.core(1)
        _ = try await one.upsertSecret(try fixture.alpha(0), key: "X", value: try secretValue("from one"), token: try fixture.writer(one))
        // Another write of X is under way in replica 2's clone: git must not overwrite it.
        let inFlight = "\(fixture.clones[1])/\(ReplicaFixture.path("X"))"
        try FileManager.default.createDirectory(atPath: (inFlight as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "being written".write(toFile: inFlight, atomically: true, encoding: .utf8)
        let before = try ReplicaFixture.git(["rev-parse", "HEAD"], in: fixture.clones[1])
        _ = try await two.upsertSecret(try fixture.alpha(1), key: "K", value: try secretValue("k"), token: try fixture.writer(two))
        #expect(try fixture.remoteReveal("K") == "k")
        #expect(try fixture.remoteReveal("X") == "from one")
        // HEAD stays on the commit made here (the remote holds the same writes on its own tip).
        #expect(try ReplicaFixture.git(["rev-parse", "HEAD^"], in: fixture.clones[1]) == before)
        #expect(await two.replica?.pull() == .waiting)
        #expect(try String(contentsOfFile: inFlight, encoding: .utf8) == "being written")
        #expect(try ReplicaFixture.git(["rev-parse", "HEAD"], in: fixture.clones[1]) != ReplicaFixture.git(["rev-parse", "main"], in: fixture.remote))
        try FileManager.default.removeItem(atPath: inFlight)
        _ = await two.replica?.pull()
        #expect(try ReplicaFixture.git(["rev-parse", "HEAD"], in: fixture.clones[1]) == ReplicaFixture.git(["rev-parse", "main"], in: fixture.remote))
        #expect(try fixture.reveal("X", in: 1) == "from one")
        #expect(try fixture.reveal("K", in: 1) == "k")
    }

    @Test("pullNow pulls, then at most once a second: callers right after a pull share the next one, a second after")
    func pullNowIsRateLimited() async throws {
        let fixture = try ReplicaFixture(replicas: 1)
        let core = try fixture.core(0)
        let replica = try #require(core.replica)
        await replica.pullNow()
        let first = replica.pullsEnded
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<5 { group.addTask { await replica.pullNow() } }
        }
        let second = replica.pullsEnded
        // Five callers at once share one pull; on a starved machine a caller that starts after
        // that pull ended waits for another, a second later. Either way pulls end ≥ 1 s apart.
        let extra = second.count - first.count
        #expect(first.count == 1 && (1...5).contains(extra), "\(first.count), then \(extra) more")
        let apart = Double((second.last?.uptimeNanoseconds ?? 0) - (first.last?.uptimeNanoseconds ?? 0)) / 1e9
        #expect(apart >= Double(extra), "\(extra) pulls in \(apart) s")
    }

    @Test("a push that fails (remote gone, or refusing) answers push_failed 503 and leaves no commit, file or audit line")
    func failedPushLeavesNothing() async throws {
        let fixture = try ReplicaFixture(replicas: 1)
        let core = try fixture.core(0)
        let token = try fixture.writer(core)
        let workspace = try fixture.alpha(0)
        _ = try await core.upsertSecret(workspace, key: "KEPT", value: try secretValue("before"), token: token)
        let head = try ReplicaFixture.git(["rev-parse", "HEAD"], in: fixture.clones[0])
        let canary = "canary-\(UUID().uuidString)"
        try FileManager.default.moveItem(atPath: fixture.remote, toPath: fixture.remote + ".away")
        try await expectPushFailed(core, workspace, token, canary)
        try FileManager.default.moveItem(atPath: fixture.remote + ".away", toPath: fixture.remote)
        // A remote that refuses (a hook) with nothing new on it: no retries, the same answer.
        let hook = "\(fixture.remote)/hooks/pre-receive"
        try "#!/bin/sh\necho refused by the test hook >&2\nexit 1\n".write(toFile: hook, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        try await expectPushFailed(core, workspace, token, canary)
        #expect(try ReplicaFixture.git(["rev-parse", "HEAD"], in: fixture.clones[0]) == head)
        #expect(try ReplicaFixture.git(["rev-parse", "main"], in: fixture.remote) == head)
        let status = try ReplicaFixture.git(["status", "--porcelain", "--", "workspaces"], in: fixture.clones[0])
        #expect(status.isEmpty, "\(status)")
        #expect(try fixture.reveal("KEPT", in: 0) == "before")
        #expect(try SecretService(workspace: workspace).keyNames() == ["KEPT"])
        #expect(try core.audit.entries().count == 1)
        #expect(fixture.logs.text.contains("refused by the test hook"))
        #expect(!fixture.logs.text.contains(canary))
        try FileManager.default.removeItem(atPath: hook)
        _ = try await core.upsertSecret(workspace, key: "NEW", value: try secretValue("n"), token: token)
        #expect(try fixture.remoteReveal("NEW") == "n")
    }

    private func expectPushFailed(_ core: ServerCore, _ workspace: Workspace, _ token: TokenRecord, _ canary: String) async throws {
        let value = try secretValue(canary)
        let results = await withTaskGroup(of: Result<SecretKeyInfo, any Error>.self) { group in
            for key in ["KEPT", "NEW"] {
                group.addTask {
                    do { return .success(try await core.upsertSecret(workspace, key: key, value: value, token: token)) } catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        for result in results {
            guard case .failure(let error as APIError) = result else {
                Issue.record("expected push_failed, got \(result)")
                continue
            }
            #expect(error.code == "push_failed" && error.status.code == 503)
            #expect(error.message.contains("remote 'origin'") && error.message.contains("undone") && !error.message.contains(canary))
        }
    }

    @Test("a replica restarted after a kill starts at the remote's tip: an unpushed commit, a stray file and index.lock are gone; server/ changes are kept and pushed")
    func restartResetsToRemote() async throws {
        let fixture = try ReplicaFixture(replicas: 1)
        let clone = fixture.clones[0]
        let first = try fixture.core(0)
        _ = try await first.upsertSecret(try fixture.alpha(0), key: "K", value: try secretValue("acknowledged"), token: try fixture.writer(first))
        first.replica?.stop()
        let tip = try ReplicaFixture.git(["rev-parse", "main"], in: fixture.remote)
        // What a kill mid-batch can leave: a commit not pushed, files not committed, git's lock.
        let service = SecretService(workspace: try fixture.alpha(0))
        _ = try service.upsert(key: "K", value: try secretValue("never answered"))
        try ReplicaFixture.git(["-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "-am", "unpushed"], in: clone)
        _ = try service.upsert(key: "STRAY", value: try secretValue("never answered"))
        _ = try service.upsert(key: "K", value: try secretValue("never answered either"))
        FileManager.default.createFile(atPath: "\(clone)/.git/index.lock", contents: Data())
        try FileManager.default.createDirectory(atPath: "\(clone)/server/tokens", withIntermediateDirectories: true)
        try "{\"id\":\"t1\"}\n".write(toFile: "\(clone)/server/tokens/t1.json", atomically: true, encoding: .utf8)

        let restarted = try fixture.core(0)
        #expect(try ReplicaFixture.git(["rev-parse", "HEAD"], in: clone) == tip)
        #expect(try fixture.reveal("K", in: 0) == "acknowledged")
        #expect(try SecretService(workspace: try fixture.alpha(0)).keyNames() == ["K"])
        #expect(!FileManager.default.fileExists(atPath: "\(clone)/.git/index.lock"))
        #expect(try ReplicaFixture.git(["status", "--porcelain", "--", "workspaces"], in: clone).isEmpty)
        #expect(FileManager.default.fileExists(atPath: "\(clone)/server/tokens/t1.json"))
        _ = await restarted.replica?.pull()
        #expect(try ReplicaFixture.git(["show", "main:server/tokens/t1.json"], in: fixture.remote) == "{\"id\":\"t1\"}")
        #expect(try ReplicaFixture.git(["status", "--porcelain", "--", "workspaces"], in: clone).isEmpty)
    }

    @Test("a replica whose remote cannot be fetched at start refuses to start, naming the remote and branch")
    func unreachableRemoteAtStart() throws {
        let fixture = try ReplicaFixture(replicas: 1)
        try FileManager.default.removeItem(atPath: fixture.remote)
        #expect {
            _ = try fixture.core(0)
        } throws: { error in
            let message = (error as? APIError)?.message ?? ""
            return message.contains("branch 'main' of remote 'origin'") && message.contains("reachable")
        }
    }
}
