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
        // The checks run on a thread of their own and the test's task awaits the watcher
        // itself: nothing here waits for a free thread of the cooperative pool (2 on this
        // machine, which other suites' blocking waits can hold for minutes).
        let seen = SeenValues()
        let checker = Thread {
            seen.record(WatcherTests.waitFor("\(root)/deploy/a.env", toContain: "A='a1'"))
            seen.record((try? SecretService(workspace: workspace).upsert(key: "A", value: try SecureBytes(copying: Array("a2".utf8)))) != nil)
            seen.record(WatcherTests.waitFor("\(root)/deploy/a.env", toContain: "A='a2'"))
            watcher.stop()
        }
        checker.start()
        try await watcher.runUntilStopped()
        #expect(seen.values == [true, true, true])
    }

    @Test("a watcher that cannot start throws to the awaiting caller")
    func failureReachesTheCaller() async throws {
        let (root, workspace, identity) = try WatcherTests.workspace()
        let watcher = try Watcher(workspace: workspace, identities: [identity])
        try FileManager.default.removeItem(atPath: root)
        await #expect(throws: (any Error).self) { try await watcher.runUntilStopped() }
    }
}

/// What the checker thread saw, read after the watcher stopped.
private final class SeenValues: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [Bool] = []
    func record(_ value: Bool) { lock.withLock { seen.append(value) } }
    var values: [Bool] { lock.withLock { seen } }
}
