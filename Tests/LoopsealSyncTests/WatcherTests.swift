import Foundation
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

    static func waitFor(_ path: String, toContain text: String, timeout: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let bytes = try? FileIO.contentsIfExists(path), String(decoding: bytes, as: UTF8.self).contains(text) { return true }
            usleep(2000)
        }
        return false
    }

    @Test func changesReachOnlyTheTargetsThatCarryThem() throws {
        let (root, workspace, identity) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let service = SecretService(workspace: workspace)
        try service.upsert(key: "A", value: try SecureBytes(copying: Array("a1".utf8)))
        try service.upsert(key: "B", value: try SecureBytes(copying: Array("b1".utf8)))
        let watcher = try Watcher(workspace: workspace, identities: [identity])
        let failure = Box()
        let thread = Thread { do { try watcher.run() } catch { failure.error = error } }
        thread.start()
        defer { watcher.stop(); while !thread.isFinished { usleep(1000) } }

        #expect(Self.waitFor("\(root)/deploy/all.env", toContain: "B='b1'"))
        #expect(Self.waitFor("\(root)/deploy/a.env", toContain: "A='a1'"))
        let onlyABefore = try FileManager.default.attributesOfItem(atPath: "\(root)/deploy/a.env")[.modificationDate] as? Date

        usleep(20_000)
        try service.upsert(key: "B", value: try SecureBytes(copying: Array("b2".utf8)))
        #expect(Self.waitFor("\(root)/deploy/all.env", toContain: "B='b2'"))
        let onlyAAfter = try FileManager.default.attributesOfItem(atPath: "\(root)/deploy/a.env")[.modificationDate] as? Date
        #expect(onlyABefore == onlyAAfter, "a.env does not carry B and must not be rewritten")
        #expect(try String(contentsOfFile: "\(root)/deploy/a.env", encoding: .utf8) == "A='a1'\n")

        try service.upsert(key: "A", value: try SecureBytes(copying: Array("a2".utf8)))
        #expect(Self.waitFor("\(root)/deploy/a.env", toContain: "A='a2'"))
        #expect(Self.waitFor("\(root)/deploy/all.env", toContain: "A='a2'"))

        // A file replaced by rename (what git does) and a deletion are seen too.
        try service.delete(key: "B")
        let deadline = Date().addingTimeInterval(5)
        var withoutB = false
        while Date() < deadline && !withoutB {
            withoutB = (try String(contentsOfFile: "\(root)/deploy/all.env", encoding: .utf8)) == "A='a2'\n"
            usleep(2000)
        }
        #expect(withoutB)
        #expect(failure.error.map { "\($0)" } == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: "\(root)/deploy/all.env")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aBrokenSecretIsLoggedAndTheWatcherKeepsGoing() throws {
        let (root, workspace, identity) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let service = SecretService(workspace: workspace)
        try service.upsert(key: "A", value: try SecureBytes(copying: Array("a1".utf8)))
        let watcher = try Watcher(workspace: workspace, identities: [identity])
        let thread = Thread { try? watcher.run() }
        thread.start()
        defer { watcher.stop(); while !thread.isFinished { usleep(1000) } }
        #expect(Self.waitFor("\(root)/deploy/a.env", toContain: "A='a1'"))
        try FileIO.writeAtomically(Array("not: [yaml".utf8), to: try workspace.secretPath(for: "C"))
        usleep(50_000)
        try service.upsert(key: "A", value: try SecureBytes(copying: Array("a3".utf8)))
        #expect(Self.waitFor("\(root)/deploy/a.env", toContain: "A='a3'"))
    }
}
