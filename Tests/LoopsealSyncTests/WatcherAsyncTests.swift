import Foundation
import LoopsealCrypto
import LoopsealStore
import Testing
@testable import LoopsealSync

/// `loopseal watch` awaits the watcher: the blocking loop runs on its own thread and the
/// awaiting task resumes when it stops.
@Suite struct WatcherAsyncTests {
    @Test("runUntilStopped syncs, keeps watching, and returns once the watcher is stopped")
    func runUntilStoppedReturnsAfterStop() async throws {
        let (root, workspace, identity) = try WatcherTests.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try SecretService(workspace: workspace).upsert(key: "A", value: try SecureBytes(copying: Array("a1".utf8)))
        let watcher = try Watcher(workspace: workspace, identities: [identity])
        let running = Task { try await watcher.runUntilStopped() }

        #expect(WatcherTests.waitFor("\(root)/deploy/a.env", toContain: "A='a1'"))
        try SecretService(workspace: workspace).upsert(key: "A", value: try SecureBytes(copying: Array("a2".utf8)))
        #expect(WatcherTests.waitFor("\(root)/deploy/a.env", toContain: "A='a2'"))
        watcher.stop()
        try await running.value
    }

    @Test("a watcher that cannot start throws to the awaiting caller")
    func failureReachesTheCaller() async throws {
        let (root, workspace, identity) = try WatcherTests.workspace()
        let watcher = try Watcher(workspace: workspace, identities: [identity])
        try FileManager.default.removeItem(atPath: root)
        await #expect(throws: (any Error).self) { try await watcher.runUntilStopped() }
    }
}
