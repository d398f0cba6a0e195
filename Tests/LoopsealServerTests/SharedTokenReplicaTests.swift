import Foundation
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
}
