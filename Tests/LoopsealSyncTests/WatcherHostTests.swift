import Foundation
import LoopsealCrypto
import LoopsealStore
import Testing
@testable import LoopsealSync

/// `loopseal watch` keeps only the targets for its host in sync: a target whose `hosts:` leave
/// the host out is never written and its restart never runs, at start or on a change.
@Suite struct WatcherHostTests {
    static func workspace() throws -> (String, Workspace, Identity) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-watch-host-\(UUID().uuidString)").path
        let identity = try Identity.generate()
        let workspace = try Workspace.create(root: root, id: "app", recipients: [Recipient(name: "me", publicKey: identity.publicKey)])
        try FileManager.default.createDirectory(atPath: "\(root)/deploy", withIntermediateDirectories: true)
        let config = try WorkspaceConfig.parse(try workspace.loadConfig().serialized().replacingOccurrences(of: "targets: []\n", with: """
        targets:
          - { name: web, type: file, path: ../../deploy/web.env, hosts: ["web-*"], restart: [sh, -c, "echo web >> ../../deploy/restarts"] }
          - { name: db, type: file, path: ../../deploy/db.env, hosts: [db-1], restart: [sh, -c, "echo db >> ../../deploy/restarts"] }
          - { name: all, type: file, path: ../../deploy/all.env }

        """), file: "w", expectedID: "app")
        try workspace.saveConfig(config)
        return (root, workspace, identity)
    }

    @Test("watch for web-1 syncs web and the all-hosts target, never db (nor its restart), and logs db as skipped")
    func onlyThisHostsTargets() throws {
        let (root, workspace, identity) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let service = SecretService(workspace: workspace)
        try service.upsert(key: "A", value: try SecureBytes(copying: Array("a1".utf8)))
        let log = LogRecorder()
        let watcher = try Watcher(workspace: workspace, identities: [identity], logger: log.logger)
        watcher.host = try SyncHost(name: "web-1", source: .option)
        let thread = Thread { try? watcher.run() }
        thread.start()
        defer { watcher.stop(); _ = WatcherTests.waitUntil { thread.isFinished } }

        #expect(WatcherTests.waitFor("\(root)/deploy/web.env", toContain: "A='a1'"))
        #expect(WatcherTests.waitFor("\(root)/deploy/all.env", toContain: "A='a1'"))
        #expect(log.lines.contains { $0.hasPrefix("skipped ") && $0.contains("target=db") && $0.contains("host=web-1") }, "\(log.lines)")

        try service.upsert(key: "A", value: try SecureBytes(copying: Array("a2".utf8)))
        #expect(WatcherTests.waitFor("\(root)/deploy/web.env", toContain: "A='a2'"))
        #expect(WatcherTests.waitFor("\(root)/deploy/all.env", toContain: "A='a2'"))
        #expect(WatcherTests.waitUntil { log.count(target: "web") == 2 }, "\(log.lines)")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/deploy/db.env"))
        #expect(log.count(target: "db") == 0, "\(log.lines)")
        #expect(try String(contentsOfFile: "\(root)/deploy/restarts", encoding: .utf8) == "web\nweb\n")
    }
}
