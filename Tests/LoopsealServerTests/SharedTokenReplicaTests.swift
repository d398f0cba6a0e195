import Foundation
import LoopsealCrypto
@testable import LoopsealServer
import Testing

/// `--git-push` replicas keep their tokens in the repository: a token created on one works on
/// another at once (an unknown id pulls on demand), and a revocation reaches the others with
/// their next pull.
@Suite("shared tokens between --git-push replicas")
struct SharedTokenReplicaTests {
    @Test("created on replica 0: replica 1 pulls on demand and accepts it; revoked on 1: refused on 0 after its pull")
    func acrossReplicas() async throws {
        let fixture = try ReplicaFixture(replicas: 2)
        let zero = try fixture.core(0), one = try fixture.core(1)
        defer { zero.replica?.stop(); one.replica?.stop() }
        #expect(zero.tokens.isShared && one.tokens.isShared)
        let (token, record) = try zero.tokens.create(workspaces: ["alpha"], role: .writer)
        #expect(FileManager.default.fileExists(atPath: "\(fixture.clones[0])/server/tokens/\(record.id).json"))
        await zero.replica?.pull()
        #expect(try one.authenticate(bearer: token) == nil)
        #expect(try await one.authenticateRefreshing(bearer: token) == record)

        try one.tokens.revoke(id: record.id)
        await one.replica?.pull()
        #expect(try zero.authenticate(bearer: token) == record)
        await zero.replica?.pull()
        #expect(try zero.authenticate(bearer: token) == nil)
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.clones[0])/server/tokens/\(record.id).json"))
        #expect(!fixture.logs.text.contains(token))
    }

    @Test("a replica without the token key refuses to start, saying what to pass")
    func replicaNeedsKey() throws {
        let fixture = try ReplicaFixture(replicas: 1)
        let error = try #require(throws: TokenError.self) { try fixture.core(0, withTokenKey: false) }
        #expect(error.description.contains("--session-key FILE"), "\(error)")
    }

    @Test("a token record pushed to the remote without the replicas' MAC is skipped by a replica after its pull")
    func pushedForgeryRefused() async throws {
        let fixture = try ReplicaFixture(replicas: 2)
        let zero = try fixture.core(0)
        defer { zero.replica?.stop() }
        let attacker = "\(fixture.clones[1])/server/tokens"
        let forger = TokenStore(repositoryRoot: fixture.clones[1], key: try TokenRecordMAC.key(identity: Identity.generate()))
        let (token, record) = try forger.create(workspaces: ["alpha"], role: .admin)
        #expect(FileManager.default.fileExists(atPath: "\(attacker)/\(record.id).json"))
        try ReplicaFixture.git(["add", "-A"], in: fixture.clones[1])
        try ReplicaFixture.git(["-c", "user.email=m@example.com", "-c", "user.name=M", "commit", "-q", "-m", "add a token"], in: fixture.clones[1])
        try ReplicaFixture.git(["push", "-q", "origin", "main"], in: fixture.clones[1])
        #expect(try await zero.authenticateRefreshing(bearer: token) == nil)
        #expect(FileManager.default.fileExists(atPath: "\(fixture.clones[0])/server/tokens/\(record.id).json"))
        #expect(fixture.logs.text.contains("skipping a bad token file") && fixture.logs.text.contains("\(record.id).json"))
    }
}
