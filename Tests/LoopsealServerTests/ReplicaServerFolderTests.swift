import Foundation
@testable import LoopsealServer
import Testing

@Suite("replicas: what a start carries over from server/")
struct ReplicaServerFolderTests {
    @Test("a link under server/tokens in an unpushed commit is not followed at start: its target's bytes never reach the remote")
    func linkIsNotFollowed() async throws {
        let fixture = try ReplicaFixture(replicas: 1)
        let clone = fixture.clones[0]
        let first = try fixture.core(0)
        first.replica?.stop()
        // A file of the host the link points at (a key, say), outside the clone.
        let outside = "\(fixture.base)/host-key"
        let canary = "host-secret-\(UUID().uuidString)"
        try canary.write(toFile: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(clone)/server/tokens", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(clone)/server/tokens/aaaaaaaaaaaa.json", withDestinationPath: outside)
        _ = try ReplicaFixture.git(["add", "server"], in: clone)
        _ = try ReplicaFixture.git(["-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "-m", "link"], in: clone)

        let restarted = try fixture.core(0)
        _ = await restarted.replica?.pull()
        restarted.replica?.stop()
        let history = try ReplicaFixture.git(["log", "-p", "--all"], in: fixture.remote)
        #expect(!history.contains(canary))
    }
}
