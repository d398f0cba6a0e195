import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealCrypto
@testable import LoopsealServer
import LoopsealStore
import Testing

/// A change and its audit line (and, with `--git-commit`, its commit) succeed together or not
/// at all: when the audit log cannot be written or the commit fails, the API answers an error
/// naming the cause and every file is as it was before the request.
@Suite("REST API writes are atomic with their audit line and commit")
struct APIAtomicWriteTests {
    @Test("an audit log that cannot be opened refuses every change before a file is touched")
    func unwritableAuditLog() async throws {
        let fixture = try ServerFixture()
        let workspace = try fixture.alpha
        try SecretService(workspace: workspace).upsert(key: "KEPT", value: try SecureBytes(copying: Array("old".utf8)))
        let keptPath = try workspace.secretPath(for: "KEPT")
        let keptBefore = try readFile(keptPath)
        let keptID = try #require(try SecretService(workspace: workspace).find(key: "KEPT")?.id)
        // A directory where the log should be: open(O_WRONLY) fails with EISDIR, even as root.
        try FileManager.default.createDirectory(atPath: fixture.core.configuration.auditLogPath, withIntermediateDirectories: true)
        try await expectEveryChangeRefused(fixture, keptID: keptID, code: "audit_log",
                                           saying: [fixture.core.configuration.auditLogPath, "Nothing was changed"])
        #expect(try readFile(keptPath) == keptBefore)
        #expect(!FileManager.default.fileExists(atPath: try workspace.secretPath(for: "NEW_KEY")))
        #expect(try SecretService(workspace: workspace).keyNames() == ["KEPT"])
        #expect(try runFiles(workspace).isEmpty)
        #expect(!fixture.logs.text.contains(ServerFixture.canary))
    }

    @Test("a failing git commit undoes the change: files byte-identical or absent, index clean, nothing audited")
    func failingCommit() async throws {
        let fixture = try ServerFixture(gitCommit: true)
        let workspace = try fixture.alpha
        try SecretService(workspace: workspace).upsert(key: "KEPT", value: try SecureBytes(copying: Array("old".utf8)))
        try ServerFixture.git(["add", "-A"], in: fixture.root)
        try ServerFixture.git(["commit", "-q", "-m", "kept"], in: fixture.root)
        let keptPath = try workspace.secretPath(for: "KEPT")
        let keptBefore = try readFile(keptPath)
        let keptID = try #require(try SecretService(workspace: workspace).find(key: "KEPT")?.id)
        let hook = "\(fixture.root)/.git/hooks/pre-commit"
        try "#!/bin/sh\necho 'refused by the test hook' >&2\nexit 1\n".write(toFile: hook, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        try await expectEveryChangeRefused(fixture, keptID: keptID, code: "git_commit_failed",
                                           saying: ["refused by the test hook", "the change was undone"])
        #expect(try readFile(keptPath) == keptBefore)
        #expect(try SecretService(workspace: workspace).keyNames() == ["KEPT"])
        #expect(try runFiles(workspace).isEmpty)
        #expect(try ServerFixture.git(["status", "--porcelain", "--", "workspaces"], in: fixture.root).isEmpty)
        #expect(try fixture.core.audit.entries().isEmpty)
        #expect(try ServerFixture.git(["log", "--format=%s"], in: fixture.root).split(separator: "\n") == ["kept", "initial"])
        #expect(try fixture.reveal("KEPT") == "old")
    }

    @Test("the undo never overwrites what another writer wrote after the change")
    func undoLeavesOtherWriters() throws {
        let fixture = try ServerFixture()
        let workspace = try fixture.alpha
        let path = try workspace.secretPath(for: "RACED")
        try FileManager.default.createDirectory(atPath: workspace.secretsDirectory, withIntermediateDirectories: true)
        try FileIO.writeAtomically(Array("before".utf8), to: path)
        let rollback = try FileRollback(workspace: workspace)
        try rollback.remember(path)
        try FileIO.writeAtomically(Array("ours".utf8), to: path)
        rollback.noteChanged()
        try FileIO.writeAtomically(Array("theirs".utf8), to: path)
        let unrestored = rollback.restore(workspace)
        #expect(unrestored.count == 1)
        #expect(unrestored.first?.contains("changed by another writer") == true)
        #expect(try readFile(path) == Array("theirs".utf8))

        let again = try FileRollback(workspace: workspace)
        try again.remember(path)
        try FileIO.writeAtomically(Array("ours".utf8), to: path)
        again.noteChanged()
        #expect(again.restore(workspace).isEmpty)
        #expect(try readFile(path) == Array("theirs".utf8))
        #expect(try FileIO.directoryEntries("\(workspace.stateDirectory)/undo").isEmpty)
    }

    /// Sends every kind of change (create, upsert, update, delete, run start) and expects each
    /// to fail with `code` and a message holding `phrases`, never the value sent.
    private func expectEveryChangeRefused(_ fixture: ServerFixture, keptID: String, code: String, saying phrases: [String]) async throws {
        let value = ServerFixture.canary
        let requests: [(String, HTTPRequest.Method, String?, String)] = [
            ("/api/v1/workspaces/alpha/secrets", .post, #"{"key":"NEW_KEY","value":"\#(value)"}"#, fixture.writerAlpha),
            ("/api/v1/workspaces/alpha/secrets/upsert", .put, #"{"key":"KEPT","value":"\#(value)"}"#, fixture.writerAlpha),
            ("/api/v1/workspaces/alpha/secrets/\(keptID)", .put, #"{"value":"\#(value)"}"#, fixture.writerAlpha),
            ("/api/v1/workspaces/alpha/secrets/\(keptID)", .delete, nil, fixture.adminAlpha),
            ("/api/v1/workspaces/alpha/runs", .post, #"{"workflow":"ask"}"#, fixture.adminAlpha),
        ]
        let app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
        try await app.test(.router) { client in
            for (uri, method, body, token) in requests {
                let response = try await client.call(uri, method, token: token, json: body)
                #expect(response.status == .internalServerError, "\(method) \(uri)")
                #expect(response.errorCode == code, "\(method) \(uri): \(response.text)")
                for phrase in phrases { #expect(response.text.contains(phrase), "\(method) \(uri): \(response.text)") }
                #expect(!response.text.contains(ServerFixture.canary))
            }
        }
    }

    private func readFile(_ path: String) throws -> [UInt8] {
        try #require(FileManager.default.contents(atPath: path)).map { $0 }
    }

    private func runFiles(_ workspace: Workspace) throws -> [String] {
        let directory = "\(workspace.stateDirectory)/runs"
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }
    }
}
