import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealCrypto
@testable import LoopsealServer
import LoopsealStore
import LoopsealWorkflows
import Testing

/// The run page of a parent pending on a child run (`request_secrets_task`): the child's form
/// inline (`show: inline`) or only a link (`show: link`); one submit stores the values in the
/// child, the callback advances the parent, and the browser lands on the parent's page.
@Suite("Web pages of sub-workflows")
struct SubWorkflowWebTests {
    let fixture: ServerFixture
    let app: Application<RouterResponder<ServerRequestContext>>

    init() throws {
        fixture = try ServerFixture()
        try fixture.addAgentWorkflows()
        let router = Router(context: ServerRequestContext.self)
        WebRoutes.add(to: router, core: fixture.core)
        app = Application(router: router)
    }

    @Test("show: inline puts the child's form on the parent's page; one submit stores the values in the child and lands on the completed parent")
    func inlineForm() async throws {
        let canary = ServerFixture.canary
        let pem = "-----BEGIN KEY-----\n\(canary)-pem\nline three\n-----END KEY-----\n"
        try await app.test(.router) { client in
            var admin = WebBrowser()
            _ = try await admin.signIn(client, token: fixture.adminAlpha)
            let started = try await admin.post(client, "/workspaces/alpha/runs", "workflow=agent-inline")
            let parentID = try WebRoutesTests.runID(started)
            let parentPath = "/workspaces/alpha/runs/\(parentID)"
            let childID = try #require(try await fixture.core.run(try fixture.alpha, id: parentID).pendingTransition?.child)
            let childPath = "/workspaces/alpha/runs/\(childID)"

            var writer = WebBrowser()
            _ = try await writer.signIn(client, token: fixture.writerAlpha)
            let page = try await writer.request(client, parentPath)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(html.contains(#"<span class="badge status-pending">pending</span>"#))
            #expect(html.contains(#"Waiting on child run <a href="\#(childPath)"><code>\#(childID)</code></a>"#))
            #expect(html.contains(#"<form method="post" action="\#(childPath)/secrets""#))
            #expect(html.contains(#"<textarea id="secret-AGENT_KEY" name="secret:AGENT_KEY" class="secret""#))
            #expect(html.contains(#"<textarea id="secret-AGENT_PEM" name="secret:AGENT_PEM" class="secret""#))
            #expect(html.contains("The agent&#39;s provider key") || html.contains("The agent&#x27;s provider key"))
            // The workflow_link document is a link with the child's status, never its Markdown.
            #expect(html.contains(#"Child run <a href="\#(childPath)"><code>\#(childID)</code></a> of workflow <code>request-secrets</code>: <span class="badge status-waiting">waiting</span>"#))
            #expect(!html.contains("loopseal run show"))
            // A pending run offers no transition of its own.
            #expect(!html.contains("<h2>Actions</h2>"))
            #expect(!html.contains("/transitions/"))

            let childPage = String(buffer: try await writer.request(client, childPath).body)
            #expect(childPage.contains(#"Child of run <a href="\#(parentPath)"><code>\#(parentID)</code></a>"#))
            #expect(childPage.contains("started by its transition <code>request_secrets</code>"))

            // The form posts to the child; where the browser goes next is never taken from the form.
            let crlf = WebPaths.percentEncoded(pem.replacingOccurrences(of: "\n", with: "\r\n"))
            let submitted = try await writer.post(client, "\(childPath)/secrets",
                                                  "secret%3AAGENT_KEY=\(WebPaths.percentEncoded(canary))&secret%3AAGENT_PEM=\(crlf)"
                                                      + "&next=%2Fworkspaces%2Fbeta&redirect=https%3A%2F%2Fevil.example")
            #expect(submitted.status == .seeOther)
            #expect(submitted.headers[.location] == parentPath)
            #expect(try fixture.reveal("AGENT_KEY") == canary)
            #expect(try fixture.reveal("AGENT_PEM") == pem)

            let done = String(buffer: try await writer.request(client, parentPath).body)
            #expect(done.contains(#"<dt>Status</dt><dd><span class="badge status-completed">completed</span>"#))
            #expect(done.contains("AGENT&#95;KEY: has value"))
            #expect(done.contains("AGENT&#95;PEM: has value"))
            #expect(done.contains(#"of workflow <code>request-secrets</code>: <span class="badge status-completed">completed</span>"#))
            #expect(!done.contains("<textarea"))
            #expect(!done.contains("Waiting on child run"))
            let parent = try await fixture.core.run(try fixture.alpha, id: parentID)
            #expect(parent.state.property("taskResult")?.javaScriptString == RequestSecretsTaskTool.completionMessage)

            let actions = try fixture.core.audit.entries().map { "\($0.action) \($0.run ?? "") \($0.transition ?? "")" }
            #expect(actions.contains("run.secrets \(childID) secrets_submitted"))
            #expect(actions.contains("run.resume \(parentID) request_secrets"))
            #expect(actions.contains("run.start \(childID) request_secrets"))
            for transcript in [admin.transcript, writer.transcript] { #expect(!transcript.contains(canary)) }
            #expect(!fixture.logs.text.contains(canary))
            #expect(!(try fixture.stateText()).contains(canary))
        }
    }

    @Test("show: link shows only a link to the child; the child's own form then returns to the child's page")
    func linkOnly() async throws {
        try await app.test(.router) { client in
            var admin = WebBrowser()
            _ = try await admin.signIn(client, token: fixture.adminAlpha)
            let parentID = try WebRoutesTests.runID(try await admin.post(client, "/workspaces/alpha/runs", "workflow=agent-link"))
            let childID = try #require(try await fixture.core.run(try fixture.alpha, id: parentID).pendingTransition?.child)
            let childPath = "/workspaces/alpha/runs/\(childID)"

            let html = String(buffer: try await admin.request(client, "/workspaces/alpha/runs/\(parentID)").body)
            #expect(html.contains(#"Waiting on child run <a href="\#(childPath)"><code>\#(childID)</code></a>"#))
            #expect(!html.contains("<textarea"))
            #expect(!html.contains("/secrets\""))

            let childHTML = String(buffer: try await admin.request(client, childPath).body)
            #expect(childHTML.contains(#"<textarea id="secret-AGENT_KEY""#))
            let submitted = try await admin.post(client, "\(childPath)/secrets", "secret%3AAGENT_KEY=one&secret%3AAGENT_PEM=two")
            #expect(submitted.status == .seeOther)
            #expect(submitted.headers[.location] == childPath)
            #expect(try await fixture.core.run(try fixture.alpha, id: parentID).status == .completed)
        }
    }

    @Test("a reader sees the pending parent and the link, but no form; its post is refused")
    func readerGetsNoForm() async throws {
        let (parent, child) = try fixture.startAgent()
        try await app.test(.router) { client in
            var reader = WebBrowser()
            _ = try await reader.signIn(client, token: fixture.readerAlpha)
            let html = String(buffer: try await reader.request(client, "/workspaces/alpha/runs/\(parent.id)").body)
            #expect(html.contains("Waiting on child run"))
            #expect(!html.contains("<textarea"))
            #expect(html.contains("This token can read only"))
            let post = try await reader.post(client, "/workspaces/alpha/runs/\(child)/secrets", "secret%3AAGENT_KEY=x&secret%3AAGENT_PEM=y")
            #expect(post.status == .forbidden)
            #expect(try await fixture.core.run(try fixture.alpha, id: parent.id).status == .pending)
        }
    }

    @Test("the parent's page shows a run a crash left half-resumed as completed: reading it finishes the callback once")
    func pageSettlesHalfResumedRun() async throws {
        let (parent, child) = try fixture.startAgent()
        try fixture.crashAfterChildCompleted(child, values: ["AGENT_KEY": "a", "AGENT_PEM": "b"])
        try await app.test(.router) { client in
            var writer = WebBrowser()
            _ = try await writer.signIn(client, token: fixture.writerAlpha)
            let html = String(buffer: try await writer.request(client, "/workspaces/alpha/runs/\(parent.id)").body)
            #expect(html.contains(#"<dt>Status</dt><dd><span class="badge status-completed">completed</span>"#))
            _ = try await writer.request(client, "/workspaces/alpha/runs/\(parent.id)")
            let resumes = try fixture.core.audit.entries().filter { $0.action == "run.resume" }
            #expect(resumes.map(\.run) == [parent.id])
            #expect(resumes.first?.token == ServerCore.serverToken)
        }
    }
}
