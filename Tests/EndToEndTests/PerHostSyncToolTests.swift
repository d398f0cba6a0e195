import Foundation
import Testing

/// The MCP `sync_secrets` tool syncs only the targets for the host it runs on
/// (`$LOOPSEAL_HOST` here): the others are neither written nor named in its report.
@Suite("per-host sync_secrets")
struct PerHostSyncToolTests {
    @Test("sync_secrets on web-1 writes web and the all-hosts target; db's file and restart never happen")
    func syncSecretsForThisHost() throws {
        let box = try Sandbox("mcp-host")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try writeBytes(Array("""
            workspace: app
            recipients:
              alice: \(alice.publicKey)
            targets:
              - { name: web, type: file, path: ../../deploy/web.env, hosts: ["web-*"] }
              - { name: db, type: file, path: ../../deploy/db.env, hosts: [db-1], restart: [sh, -c, "touch ../../db-restarted"] }
              - { name: all, type: file, path: ../../deploy/all.env }

            """.utf8), to: "\(box.workspaceDir("app"))/workspace.yaml")
        try FileManager.default.createDirectory(atPath: "\(box.root)/deploy", withIntermediateDirectories: true)
        let canary = "CANARY-host-\(UUID().uuidString)"
        try box.set("TOKEN", canary)

        let client = try MCPClient(box, ["mcp", "--identity", alice.path], env: ["LOOPSEAL_HOST": "web-1"])
        _ = try client.initialize()
        let synced = try client.call("sync_secrets")
        #expect(!synced.isError, "\(synced.text)")
        let targets = try #require(synced.structured["targets"] as? [[String: Any]], "\(synced.text)")
        #expect(targets.compactMap { $0["name"] as? String } == ["web", "all"])
        #expect(targets.allSatisfy { $0["status"] as? String == "written" }, "\(synced.text)")
        #expect(try readBytes("\(box.root)/deploy/web.env").contains(bytes: Array(canary.utf8)))
        #expect(try readBytes("\(box.root)/deploy/all.env").contains(bytes: Array(canary.utf8)))
        #expect(!FileManager.default.fileExists(atPath: "\(box.root)/deploy/db.env"))
        #expect(!FileManager.default.fileExists(atPath: "\(box.root)/db-restarted"))
        let ended = client.finish()
        #expect(ended.status == 0, "\(ended.stderrText)")
        #expect(!ended.stdout.contains(bytes: Array(canary.utf8)) && !ended.stderr.contains(bytes: Array(canary.utf8)))
    }
}
