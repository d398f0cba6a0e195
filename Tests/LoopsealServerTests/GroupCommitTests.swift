import Foundation
import LoopsealCrypto
@testable import LoopsealServer
import LoopsealStore
import Testing

/// Group commit: secret writes queued for a workspace are applied as one batch, with one git
/// commit and one audit append for the batch, and each request keeps its own answer.
@Suite("REST API: writes queued together are committed together")
struct GroupCommitTests {
    @Test("24 concurrent upserts while a commit is slow: a few commits hold them all, one audit line each, every value opens")
    func concurrentUpsertsShareCommits() async throws {
        let fixture = try ServerFixture(gitCommit: true)
        // Each commit takes 0.3 s: the requests that arrive meanwhile queue up for the next batch.
        try hook(fixture, "sleep 0.3")
        let workspace = try fixture.alpha
        let token = try #require(try fixture.core.authenticate(bearer: fixture.writerAlpha))
        let core = fixture.core
        let answers = try await withThrowingTaskGroup(of: SecretKeyInfo.self) { group in
            for index in 0..<24 {
                group.addTask {
                    try await core.upsertSecret(workspace, key: "K_\(index)", value: try SecureBytes(copying: Array("v\(index)".utf8)),
                                                token: token)
                }
            }
            return try await group.reduce(into: [SecretKeyInfo]()) { $0.append($1) }
        }
        #expect(Set(answers.map(\.key)) == Set((0..<24).map { "K_\($0)" }))
        for index in 0..<24 { #expect(try fixture.reveal("K_\(index)") == "v\(index)") }
        let subjects = try ServerFixture.git(["log", "--format=%s"], in: fixture.root).split(separator: "\n").dropLast()
        // One request at a time would make 24 commits (and take 7 s).
        #expect((1...4).contains(subjects.count), "\(subjects)")
        #expect(subjects.contains { $0.hasSuffix("changes in workspace alpha") }, "\(subjects)")
        let entries = try fixture.core.audit.entries()
        #expect(entries.count == 24)
        #expect(Set(entries.compactMap(\.key)) == Set((0..<24).map { "K_\($0)" }))
        #expect(entries.allSatisfy { $0.action == "secret.upsert" && $0.workspace == "alpha" })
        #expect(try ServerFixture.git(["status", "--porcelain", "--", "workspaces"], in: fixture.root).isEmpty)
    }

    @Test("in one batch: the same key twice (later wins, both answered), a 409 alone, an update and a delete; one commit lists them")
    func oneBatchKeepsEachRequestsAnswer() throws {
        let fixture = try ServerFixture(gitCommit: true)
        let workspace = try fixture.alpha
        let service = SecretService(workspace: workspace)
        let kept = try service.upsert(key: "KEPT", value: try value("k0"))
        let gone = try service.upsert(key: "GONE", value: try value("g"))
        try ServerFixture.git(["add", "-A"], in: fixture.root)
        try ServerFixture.git(["commit", "-q", "-m", "seeded"], in: fixture.root)
        let results = fixture.core.commitSecretWrites(workspace, try mixedBatch(kept: kept, gone: gone))
        try expectMixedBatchAnswered(results, fixture, kept: kept, gone: gone)
        let log = try ServerFixture.git(["log", "-1", "--format=%B"], in: fixture.root)
        #expect(log.hasPrefix("loopseal: 4 changes in workspace alpha\n\nupsert SAME\nupsert SAME\nupdate KEPT\ndelete GONE"), "\(log)")
        #expect(try ServerFixture.git(["log", "--format=%s"], in: fixture.root).split(separator: "\n").count == 3)
        #expect(try ServerFixture.git(["status", "--porcelain", "--", "workspaces"], in: fixture.root).isEmpty)
    }

    @Test("without --git-commit (audit written ahead, pipelined): the same key twice, a 409 alone, an update and a delete in one batch")
    func pipelinedBatchKeepsEachRequestsAnswer() async throws {
        let fixture = try ServerFixture()
        let workspace = try fixture.alpha
        let service = SecretService(workspace: workspace)
        let kept = try service.upsert(key: "KEPT", value: try value("k0"))
        let gone = try service.upsert(key: "GONE", value: try value("g"))
        let results = await start(fixture, try mixedBatch(kept: kept, gone: gone))
        try expectMixedBatchAnswered(results, fixture, kept: kept, gone: gone)
        // A batch where every write is refused writes nothing and no audit line.
        let refused = await start(fixture, [SecretWrite(key: "SAME", operation: .create(try value("again")), token: "t6")])
        #expect(throws: StoreError.secretExists(key: "SAME", workspace: "alpha")) { try refused[0].get() }
        #expect(try fixture.core.audit.entries().count == 4)
        #expect(try FileIO.directoryEntries(workspace.secretsDirectory).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test("without --git-commit an audit log that cannot be opened refuses the batch with nothing touched")
    func pipelinedUnwritableAudit() async throws {
        let fixture = try ServerFixture()
        let workspace = try fixture.alpha
        try FileManager.default.createDirectory(atPath: fixture.core.configuration.auditLogPath, withIntermediateDirectories: true)
        let results = await start(fixture, [
            SecretWrite(key: "A", operation: .upsert(try value("a")), token: "t"),
            SecretWrite(key: "B", operation: .create(try value("b")), token: "t"),
        ])
        for result in results {
            #expect(throws: APIError.self) { try result.get() }
        }
        #expect(try SecretService(workspace: workspace).keyNames().isEmpty)
    }

    @Test("a commit refused for one file undoes the batch; applied again one at a time, only that request fails")
    func failedBatchIsSplit() throws {
        let fixture = try ServerFixture(gitCommit: true)
        try hook(fixture, "if git diff --cached --name-only | grep -q BAD.sealed; then echo 'BAD is refused by the test hook' >&2; exit 1; fi")
        let workspace = try fixture.alpha
        let results = fixture.core.commitSecretWrites(workspace, [
            SecretWrite(key: "A", operation: .upsert(try value("a")), token: "t"),
            SecretWrite(key: "BAD", operation: .upsert(try value(ServerFixture.canary)), token: "t"),
            SecretWrite(key: "B", operation: .create(try value("b")), token: "t"),
        ])
        try #require(results.count == 3)
        #expect(try results[0].get().key == "A")
        #expect(try results[2].get().key == "B")
        #expect(throws: APIError.self) { try results[1].get() }
        if case .failure(let error as APIError) = results[1] {
            #expect(error.code == "git_commit_failed")
            #expect(error.message.contains("BAD is refused by the test hook") && error.message.contains("the change was undone"))
            #expect(!error.message.contains(ServerFixture.canary))
        }
        #expect(try SecretService(workspace: workspace).keyNames() == ["A", "B"])
        #expect(try fixture.reveal("A") == "a")
        #expect(try fixture.core.audit.entries().compactMap(\.key) == ["A", "B"])
        let subjects = try ServerFixture.git(["log", "--format=%s"], in: fixture.root).split(separator: "\n")
        #expect(subjects == ["loopseal: create B in workspace alpha", "loopseal: upsert A in workspace alpha", "initial"])
        #expect(try ServerFixture.git(["status", "--porcelain", "--", "workspaces"], in: fixture.root).isEmpty)
        #expect(fixture.logs.text.contains("a batch of writes was undone"))
        #expect(!fixture.logs.text.contains(ServerFixture.canary))
    }

    @Test("an audit log that cannot be opened refuses the whole batch with nothing touched")
    func unwritableAuditRefusesTheBatch() throws {
        let fixture = try ServerFixture()
        let workspace = try fixture.alpha
        try FileManager.default.createDirectory(atPath: fixture.core.configuration.auditLogPath, withIntermediateDirectories: true)
        let results = fixture.core.commitSecretWrites(workspace, [
            SecretWrite(key: "A", operation: .upsert(try value("a")), token: "t"),
            SecretWrite(key: "B", operation: .upsert(try value("b")), token: "t"),
        ])
        for result in results {
            #expect(throws: APIError.self) { try result.get() }
        }
        #expect(try SecretService(workspace: workspace).keyNames().isEmpty)
        #expect(!fixture.logs.text.contains("a batch of writes was undone"))
    }

    @Test("old versions a batch replaced are kept as spares, topped up off the request path, and the next batch writes into them")
    func oldVersionsAreReused() async throws {
        let fixture = try ServerFixture()
        let workspace = try fixture.alpha
        let undo = "\(workspace.stateDirectory)/undo"
        _ = fixture.core.commitSecretWrites(workspace, [SecretWrite(key: "A", operation: .upsert(try value("a1")), token: "t")])
        let firstInode = try inode(try workspace.secretPath(for: "A"))
        _ = fixture.core.commitSecretWrites(workspace, [SecretWrite(key: "A", operation: .upsert(try value("a2")), token: "t")])
        // The old version becomes a spare and the pool is topped up to 32, in the background.
        var spareInodes: Set<UInt64> = []
        for _ in 0..<200 where !(spareInodes.count >= 32 && spareInodes.contains(firstInode)) {
            try await Task.sleep(for: .milliseconds(50))
            spareInodes = Set(try FileIO.directoryEntries(undo).filter { $0.hasPrefix("spare-") }.map { try inode("\(undo)/\($0)") })
        }
        #expect(spareInodes.count >= 32 && spareInodes.contains(firstInode), "\(spareInodes.count) spares")
        #expect(try FileIO.directoryEntries(undo).allSatisfy { $0.hasPrefix("spare-") })
        let results = fixture.core.commitSecretWrites(workspace, [
            SecretWrite(key: "B", operation: .create(try value("b")), token: "t"),
            SecretWrite(key: "A", operation: .upsert(try value("a3")), token: "t"),
        ])
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        #expect(spareInodes.contains(try inode(try workspace.secretPath(for: "B"))), "B was written into a spare")
        #expect(spareInodes.contains(try inode(try workspace.secretPath(for: "A"))), "so was A's new version")
        #expect(try fixture.reveal("A") == "a3")
        #expect(try fixture.reveal("B") == "b")
    }

    private func inode(_ path: String) throws -> UInt64 {
        var info = stat()
        try #require(lstat(path, &info) == 0, "\(path)")
        return UInt64(info.st_ino)
    }

    /// The same key upserted twice then created (409), KEPT updated by id, GONE deleted by id.
    private func mixedBatch(kept: SecretKeyInfo, gone: SecretKeyInfo) throws -> [SecretWrite] {
        [
            SecretWrite(key: "SAME", operation: .upsert(try value("first")), token: "t1"),
            SecretWrite(key: "SAME", operation: .upsert(try value("second")), token: "t2"),
            SecretWrite(key: "SAME", operation: .create(try value("refused")), token: "t3"),
            SecretWrite(key: "KEPT", operation: .update(id: kept.id, try value("k1")), token: "t4"),
            SecretWrite(key: "GONE", operation: .delete(id: gone.id), token: "t5"),
        ]
    }

    /// Each request of ``mixedBatch(kept:gone:)`` has its own answer; the later SAME wins; the 409 has no audit line.
    private func expectMixedBatchAnswered(_ results: [Result<SecretKeyInfo, any Error>], _ fixture: ServerFixture,
                                          kept: SecretKeyInfo, gone: SecretKeyInfo) throws {
        try #require(results.count == 5)
        #expect(try results[1].get().id == results[0].get().id)
        #expect(throws: StoreError.secretExists(key: "SAME", workspace: "alpha")) { try results[2].get() }
        #expect(try results[3].get() == kept)
        #expect(try results[4].get() == gone)
        #expect(try fixture.reveal("SAME") == "second")
        #expect(try fixture.reveal("KEPT") == "k1")
        #expect(try SecretService(workspace: try fixture.alpha).keyNames() == ["KEPT", "SAME"])
        let entries = try fixture.core.audit.entries()
        #expect(entries.map(\.token) == ["t1", "t2", "t4", "t5"])
        #expect(entries.map(\.action) == ["secret.upsert", "secret.upsert", "secret.update", "secret.delete"])
    }

    /// Runs one pipelined batch and waits for its answer.
    private func start(_ fixture: ServerFixture, _ writes: [SecretWrite]) async -> [Result<SecretKeyInfo, any Error>] {
        let workspace = try! fixture.alpha
        let answered = await withCheckedContinuation { (continuation: CheckedContinuation<Answered, Never>) in
            fixture.core.startSecretWrites(workspace, writes, finishing: DispatchQueue(label: "test.finish")) {
                continuation.resume(returning: Answered(results: $0))
            }
        }
        return answered.results
    }

    private func value(_ text: String) throws -> SecureBytes { try SecureBytes(copying: Array(text.utf8)) }

    private func hook(_ fixture: ServerFixture, _ body: String) throws {
        let hook = "\(fixture.root)/.git/hooks/pre-commit"
        try "#!/bin/sh\n\(body)\n".write(toFile: hook, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
    }
}

/// A batch's answer carried out of its callback.
private struct Answered: @unchecked Sendable {
    let results: [Result<SecretKeyInfo, any Error>]
}
