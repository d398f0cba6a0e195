import Foundation
import Logging
import LoopsealCrypto
import LoopsealStore
import Testing
@testable import LoopsealSync

/// The watcher re-syncs targets when sealed files change, and only the targets that carry them.
@Suite struct WatcherTests {
    final class Box: @unchecked Sendable { var error: Error? }

    static func workspace() throws -> (String, Workspace, Identity) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-watch-\(UUID().uuidString)").path
        let identity = try Identity.generate()
        let workspace = try Workspace.create(root: root, id: "app", recipients: [Recipient(name: "me", publicKey: identity.publicKey)])
        try FileManager.default.createDirectory(atPath: "\(root)/deploy", withIntermediateDirectories: true)
        var config = try workspace.loadConfig()
        config = try WorkspaceConfig.parse(try config.serialized().replacingOccurrences(of: "targets: []\n", with: """
        targets:
          - name: all
            type: file
            path: ../../deploy/all.env
          - name: only_a
            type: file
            path: ../../deploy/a.env
            keys: [A]

        """), file: "w", expectedID: "app")
        try workspace.saveConfig(config)
        return (root, workspace, identity)
    }

    /// Polls `condition` every 2 ms until it holds or `timeout` seconds (generous: a loaded
    /// machine is slow, and a condition that holds ends the wait at once) pass.
    static func waitUntil(timeout: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(2000)
        }
        return try condition()
    }

    static func waitFor(_ path: String, toContain text: String) -> Bool {
        waitUntil { (try? FileIO.contentsIfExists(path)).map { String(decoding: $0, as: UTF8.self).contains(text) } ?? false }
    }

    @Test func changesReachOnlyTheTargetsThatCarryThem() throws {
        let (root, workspace, identity) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let service = SecretService(workspace: workspace)
        try service.upsert(key: "A", value: try SecureBytes(copying: Array("a1".utf8)))
        try service.upsert(key: "B", value: try SecureBytes(copying: Array("b1".utf8)))
        let log = LogRecorder()
        let watcher = try Watcher(workspace: workspace, identities: [identity], logger: log.logger)
        let failure = Box()
        let thread = Thread { do { try watcher.run() } catch { failure.error = error } }
        thread.start()
        defer { watcher.stop(); _ = Self.waitUntil { thread.isFinished } }

        #expect(Self.waitFor("\(root)/deploy/all.env", toContain: "B='b1'"))
        #expect(Self.waitFor("\(root)/deploy/a.env", toContain: "A='a1'"))
        #expect(Self.waitUntil { log.count(target: "only_a") == 1 }, "\(log.lines)")

        try service.upsert(key: "B", value: try SecureBytes(copying: Array("b2".utf8)))
        #expect(Self.waitFor("\(root)/deploy/all.env", toContain: "B='b2'"))
        #expect(try String(contentsOfFile: "\(root)/deploy/a.env", encoding: .utf8) == "A='a1'\n")

        try service.upsert(key: "A", value: try SecureBytes(copying: Array("a2".utf8)))
        #expect(Self.waitFor("\(root)/deploy/a.env", toContain: "A='a2'"))
        #expect(Self.waitFor("\(root)/deploy/all.env", toContain: "A='a2'"))
        // The watcher syncs one change after another, so the change to A was synced after the
        // change to B: a.env does not carry B, so it was synced twice (at start and for A) and
        // never for B, not even as "up to date".
        #expect(Self.waitUntil { log.count(target: "only_a") == 2 }, "\(log.lines)")
        #expect(log.count(target: "only_a") == 2, "a.env does not carry B and must not be synced for it: \(log.lines)")

        // A file replaced by rename (what git does) and a deletion are seen too.
        try service.delete(key: "B")
        #expect(Self.waitUntil { (try? String(contentsOfFile: "\(root)/deploy/all.env", encoding: .utf8)) == "A='a2'\n" })
        #expect(failure.error.map { "\($0)" } == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: "\(root)/deploy/all.env")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aBrokenSecretIsLoggedAndTheWatcherKeepsGoing() throws {
        let (root, workspace, identity) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let service = SecretService(workspace: workspace)
        try service.upsert(key: "A", value: try SecureBytes(copying: Array("a1".utf8)))
        let log = LogRecorder()
        let watcher = try Watcher(workspace: workspace, identities: [identity], logger: log.logger)
        let thread = Thread { try? watcher.run() }
        thread.start()
        defer { watcher.stop(); _ = Self.waitUntil { thread.isFinished } }
        #expect(Self.waitFor("\(root)/deploy/a.env", toContain: "A='a1'"))
        try FileIO.writeAtomically(Array("not: [yaml".utf8), to: try workspace.secretPath(for: "C"))
        // The broken file is seen, and logged, on its own before the next change.
        #expect(Self.waitUntil { log.lines.contains { $0.hasPrefix("cannot open secret") && $0.contains("key=C") } }, "\(log.lines)")
        try service.upsert(key: "A", value: try SecureBytes(copying: Array("a3".utf8)))
        #expect(Self.waitFor("\(root)/deploy/a.env", toContain: "A='a3'"))
    }
}
