import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealCrypto
@testable import LoopsealServer
import LoopsealStore
import LoopsealSystem
import LoopsealWorkflows
import Testing

/// Sub-workflows through the REST API and the server core: the run resource's links both ways,
/// 409 for a pending run, the callback audited and undone with the change, and the runs a crash
/// left half-resumed settled when the server starts.
@Suite("REST API and server core for sub-workflows")
struct SubWorkflowAPITests {
    @Test("the run resource shows parent, children and pendingOn; a pending run refuses transitions with 409; the child's end resumes the parent")
    func links() async throws {
        let fixture = try ServerFixture()
        try fixture.addAgentWorkflows()
        let app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
        try await app.test(.router) { client in
            let started = try await client.call("/api/v1/workspaces/alpha/runs", .post, token: fixture.adminAlpha, json: #"{"workflow":"agent-inline"}"#)
            #expect(started.status == .created)
            let parent = try #require(started.json as? [String: Any])
            let parentID = try #require(parent["id"] as? String)
            #expect(parent["status"] as? String == "pending")
            #expect(parent["parent"] is NSNull)
            let pendingOn = try #require(parent["pendingOn"] as? [String: Any])
            let childID = try #require(pendingOn["runId"] as? String)
            #expect(pendingOn["transition"] as? String == "request_secrets")
            let children = try #require(parent["children"] as? [[String: Any]])
            #expect(children.count == 1)
            #expect(children.first?["runId"] as? String == childID)
            #expect(children.first?["workflow"] as? String == "request-secrets")
            #expect(children.first?["transition"] as? String == "request_secrets")
            #expect(children.first?["show"] as? String == "inline")
            #expect((parent["waitingFor"] as? [Any])?.isEmpty == true)

            let child = try #require(try await client.call("/api/v1/workspaces/alpha/runs/\(childID)", token: fixture.readerAlpha).json as? [String: Any])
            #expect(child["status"] as? String == "waiting")
            let up = try #require(child["parent"] as? [String: Any])
            #expect(up["runId"] as? String == parentID)
            #expect(up["transition"] as? String == "request_secrets")
            #expect(child["pendingOn"] is NSNull)
            #expect((child["children"] as? [Any])?.isEmpty == true)
            #expect(child["requestedKeys"] as? [String] == ServerFixture.agentKeys)

            let refused = try await client.call("/api/v1/workspaces/alpha/runs/\(parentID)/transitions/verify", .post, token: fixture.writerAlpha)
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "pending")
            let message = (refused.json as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("pending on child run '\(childID)'"))
            #expect(message.contains("act on run '\(childID)' instead"))

            let workspace = try fixture.alpha
            let writer = try #require(try fixture.core.authenticate(bearer: fixture.writerAlpha))
            for key in ServerFixture.agentKeys {
                _ = try await fixture.core.upsertSecret(workspace, key: key, value: try SecureBytes(copying: Array(ServerFixture.canary.utf8)), token: writer)
            }
            let fired = try await client.call("/api/v1/workspaces/alpha/runs/\(childID)/transitions/secrets_submitted", .post, token: fixture.writerAlpha)
            #expect(fired.status == .ok)
            #expect((fired.json as? [String: Any])?["status"] as? String == "completed")
            let done = try #require(try await client.call("/api/v1/workspaces/alpha/runs/\(parentID)", token: fixture.readerAlpha).json as? [String: Any])
            #expect(done["status"] as? String == "completed")
            #expect(done["pendingOn"] is NSNull)
            #expect((done["children"] as? [Any])?.count == 1)

            let entries = try fixture.core.audit.entries()
            let resume = entries.filter { $0.action == "run.resume" }
            #expect(resume.count == 1)
            #expect(resume.first?.run == parentID)
            #expect(resume.first?.token == writer.id)
            #expect(resume.first?.transition == "request_secrets")
            for response in [started, fired, refused] { #expect(!response.text.contains(ServerFixture.canary)) }
            #expect(!fixture.logs.text.contains(ServerFixture.canary))
            #expect(!(try fixture.stateText()).contains(ServerFixture.canary))
        }
    }

    @Test("a server that starts after a crash between the child's end and the callback resumes the parent, exactly once")
    func settleAtStart() async throws {
        let fixture = try ServerFixture()
        try fixture.addAgentWorkflows()
        let (parent, child) = try fixture.startAgent()
        try fixture.crashAfterChildCompleted(child, values: ["AGENT_KEY": ServerFixture.canary, "AGENT_PEM": "pem"])
        let service = RunService(workspace: try fixture.alpha)
        #expect(try service.load(runID: parent.id).status == .pending)

        let restarted = try ServerCore(configuration: fixture.core.configuration)
        let resumed = try service.load(runID: parent.id)
        #expect(resumed.status == .completed)
        #expect(resumed.state.property("taskResult")?.javaScriptString == RequestSecretsTaskTool.completionMessage)
        #expect(resumed.history.filter { $0.transition == "request_secrets" }.count == 1)
        let entries = try restarted.audit.entries()
        #expect(entries.map(\.action) == ["run.resume"])
        #expect(entries.first?.run == parent.id)
        #expect(entries.first?.token == ServerCore.serverToken)

        let again = try ServerCore(configuration: fixture.core.configuration)
        #expect(again.settleRuns().isEmpty)
        #expect(try again.audit.entries().count == 1)
        #expect(try service.load(runID: parent.id).history.count == resumed.history.count)
        #expect(!fixture.logs.text.contains(ServerFixture.canary))
        #expect(!(try fixture.stateText()).contains(ServerFixture.canary))
    }

    @Test("kill -9 of `loopseal run resume CHILD --fill` after the child completes: the next server start resumes the parent, once")
    func settleAfterRealCrash() async throws {
        let fixture = try ServerFixture()
        try fixture.addAgentWorkflows()
        let (parent, child) = try fixture.startAgent()
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/loopseal").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the loopseal binary first (swift build)")
        let outcome = try ChildProcess.run(
            [binary, "run", "resume", child, "--fill", "--root", fixture.root, "-w", "alpha"],
            input: Array("AGENT_KEY=\(ServerFixture.canary)\nAGENT_PEM=pem\n".utf8),
            environment: ["HOME": fixture.state, "LOOPSEAL_STATE": fixture.state, "PATH": "/usr/bin:/bin",
                          "LOOPSEAL_TEST_CRASH": "before-parent-resume"])
        #expect(outcome.signaled && outcome.status == SIGKILL)
        let service = RunService(workspace: try fixture.alpha)
        #expect(try service.load(runID: child).status == .completed)
        #expect(try service.load(runID: parent.id).status == .pending)

        let restarted = try ServerCore(configuration: fixture.core.configuration)
        #expect(try service.load(runID: parent.id).status == .completed)
        #expect(try service.load(runID: parent.id).history.filter { $0.transition == "request_secrets" }.count == 1)
        #expect(try restarted.audit.entries().map { "\($0.action) \($0.run ?? "")" } == ["run.resume \(parent.id)"])
        #expect(try ServerCore(configuration: fixture.core.configuration).audit.entries().count == 1)
        #expect(!(try fixture.stateText()).contains(ServerFixture.canary))
    }

    @Test("the run list of a server that was running during the crash settles the half-resumed run")
    func listSettles() async throws {
        let fixture = try ServerFixture()
        try fixture.addAgentWorkflows()
        let (parent, child) = try fixture.startAgent()
        try fixture.crashAfterChildCompleted(child, values: ["AGENT_KEY": "a", "AGENT_PEM": "b"])
        let app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
        try await app.test(.router) { client in
            let list = try #require(try await client.call("/api/v1/workspaces/alpha/runs", token: fixture.readerAlpha).json as? [[String: Any]])
            #expect(list.first { $0["id"] as? String == parent.id }?["status"] as? String == "completed")
            _ = try await client.call("/api/v1/workspaces/alpha/runs", token: fixture.readerAlpha)
        }
        #expect(try fixture.core.audit.entries().map { "\($0.action) \($0.run ?? "") \($0.token)" } == ["run.resume \(parent.id) server"])
    }

    @Test("a failing commit after the child's form undoes the child, its parent and the values together")
    func rollbackCoversParent() async throws {
        let fixture = try ServerFixture(gitCommit: true)
        try fixture.addAgentWorkflows()
        let (parent, child) = try fixture.startAgent()
        try ServerFixture.git(["add", "-A"], in: fixture.root)
        try ServerFixture.git(["commit", "-q", "-m", "runs started"], in: fixture.root)
        let parentBefore = try fixture.runFile(parent.id)
        let childBefore = try fixture.runFile(child)
        let workspace = try fixture.alpha
        let secretsBefore = try ServerFixture.agentKeys.map { FileManager.default.contents(atPath: try workspace.secretPath(for: $0)) }
        try fixture.refuseCommits()

        let writer = try #require(try fixture.core.authenticate(bearer: fixture.writerAlpha))
        let values = try ServerFixture.agentKeys.map { (key: $0, value: try SecureBytes(copying: Array(ServerFixture.canary.utf8))) }
        await #expect(throws: APIError.self) {
            _ = try await fixture.core.provideSecrets(workspace, runID: child, values: values, transition: nil, token: writer)
        }
        #expect(try fixture.runFile(parent.id) == parentBefore)
        #expect(try fixture.runFile(child) == childBefore)
        #expect(try ServerFixture.agentKeys.map { FileManager.default.contents(atPath: try workspace.secretPath(for: $0)) } == secretsBefore)
        #expect(try RunService(workspace: workspace).load(runID: parent.id).status == .pending)
        #expect(try fixture.core.audit.entries().isEmpty)
        #expect(!fixture.logs.text.contains(ServerFixture.canary))
    }

    @Test("a failing commit after starting a parent removes the child run it started, and the secret files the child declared")
    func rollbackCoversNewChild() async throws {
        let fixture = try ServerFixture(gitCommit: true)
        try fixture.addAgentWorkflows()
        try ServerFixture.git(["add", "-A"], in: fixture.root)
        try ServerFixture.git(["commit", "-q", "-m", "workflows"], in: fixture.root)
        try fixture.refuseCommits()
        let admin = try #require(try fixture.core.authenticate(bearer: fixture.adminAlpha))
        await #expect(throws: APIError.self) {
            _ = try await fixture.core.startRun(try fixture.alpha, workflow: "agent-inline", input: .dictionary([]), token: admin)
        }
        let runs = "\(try fixture.alpha.stateDirectory)/runs"
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []).filter { $0.hasSuffix(".json") }.isEmpty)
        for key in ServerFixture.agentKeys { #expect(!FileManager.default.fileExists(atPath: try fixture.alpha.secretPath(for: key))) }
    }

    @Test("with --git-commit, starting a parent commits the secret files its child declared")
    func childDeclarationsCommitted() async throws {
        let fixture = try ServerFixture(gitCommit: true)
        try fixture.addAgentWorkflows()
        try ServerFixture.git(["add", "-A"], in: fixture.root)
        try ServerFixture.git(["commit", "-q", "-m", "workflows"], in: fixture.root)
        let admin = try #require(try fixture.core.authenticate(bearer: fixture.adminAlpha))
        _ = try await fixture.core.startRun(try fixture.alpha, workflow: "agent-inline", input: .dictionary([]), token: admin)
        #expect(try ServerFixture.git(["status", "--porcelain", "--", "workspaces"], in: fixture.root).isEmpty)
        let files = try ServerFixture.git(["show", "--name-only", "--format=", "HEAD"], in: fixture.root)
        for key in ServerFixture.agentKeys { #expect(files.contains("workspaces/alpha/secrets/\(key).sealed")) }
    }
}
