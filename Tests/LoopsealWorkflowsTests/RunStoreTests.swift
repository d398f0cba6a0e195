import Foundation
import Testing
import LoopsealStore
import LoopsealTemplates
@testable import LoopsealWorkflows
import LoopsealValue

/// Run files: `workspaces/<id>/.loopseal/runs/<run id>.json`.
@Suite("Run store")
struct RunStoreTests {
    private func sampleDefinition(_ sandbox: Sandbox) throws -> WorkflowDefinition {
        try sandbox.workflow("""
        transitions:
          - id: go
            from: start
            to: end
        """, name: "sample.yaml")
    }

    /// A run with every field set to something distinctive.
    private func sampleRun(_ definition: WorkflowDefinition, id: String = "run-1", createdAt: String = "2026-01-02T03:04:05.678Z") -> WorkflowRun {
        var run = WorkflowRun(id: id, workflow: definition, workflowFile: "flows/sample.yaml", workspace: "demo",
                              args: value(#"{"value": 150, "name": "Zoë", "nested": {"list": [1, "two", null, true]}}"#))
        run.status = .waiting
        run.place = "asking"
        run.state = value(#"{"secretKeys": [{"key": "A", "hasValue": false}], "count": 2.5, "note": "line\nbreak \"quoted\""}"#)
        run.toolResults = value(#"{"ask": {"keys": {"data": [{"key": "A", "hasValue": false}]}}}"#)
        run.documents = [
            WorkflowDocument(id: "ask-1-secret_request", type: .secretRequest, transition: "ask",
                             content: value(#"{"variables": [{"key": "A", "description": "the A key"}]}"#)),
            WorkflowDocument(id: "ask-2-markdown", type: .markdown, transition: "ask", content: value(##"{"markdown": "# Hi\n"}"##)),
            WorkflowDocument(id: "ask-3-message", type: .message, transition: "ask", content: value(#"{"text": "hello"}"#)),
            WorkflowDocument(id: "ask-error-4", type: .error, transition: "ask", content: value(#"{"message": "boom"}"#)),
        ]
        run.requestedKeys = ["A", "B_KEY"]
        run.history = [
            HistoryEntry(transition: "ask", from: "start", to: "asking", manual: false, at: "2026-01-02T03:04:05.700Z", error: nil, payload: nil),
            HistoryEntry(transition: "submit", from: "asking", to: "asking", manual: true, at: "2026-01-02T03:05:00.000Z",
                         error: "transition 'submit' failed: explode: boom", payload: value(#"{"answer": 42, "tags": ["x"]}"#)),
        ]
        run.error = "transition 'submit' failed: explode: boom"
        run.createdAt = createdAt
        run.updatedAt = "2026-01-02T03:05:00.001Z"
        return run
    }

    @Test func saveAndLoadRoundTripEveryField() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.workspace()
        let store = RunStore(workspace: workspace)
        let run = sampleRun(try sampleDefinition(sandbox))
        try store.save(run)

        let path = "\(workspace.stateDirectory)/runs/run-1.json"
        #expect(store.directory == "\(workspace.stateDirectory)/runs")
        #expect(FileManager.default.fileExists(atPath: path))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let loaded = try store.load("run-1")
        #expect(loaded.id == "run-1")
        #expect(loaded.workflow == "sample")
        #expect(loaded.workflowFile == "flows/sample.yaml")
        #expect(loaded.workspace == "demo")
        #expect(loaded.status == .waiting)
        #expect(loaded.place == "asking")
        #expect(json(loaded.args) == json(run.args))
        #expect(json(loaded.state) == json(run.state))
        #expect(json(loaded.toolResults) == json(run.toolResults))
        #expect(loaded.documents.map(\.id) == run.documents.map(\.id))
        #expect(loaded.documents.map(\.type) == [.secretRequest, .markdown, .message, .error])
        #expect(loaded.documents.map(\.transition) == ["ask", "ask", "ask", "ask"])
        #expect(loaded.documents.map { json($0.content) } == run.documents.map { json($0.content) })
        #expect(loaded.documents.map(\.markdown) == run.documents.map(\.markdown))
        #expect(loaded.requestedKeys == ["A", "B_KEY"])
        #expect(loaded.history.count == 2)
        #expect(loaded.history.map(\.transition) == ["ask", "submit"])
        #expect(loaded.history.map(\.from) == ["start", "asking"])
        #expect(loaded.history.map(\.to) == ["asking", "asking"])
        #expect(loaded.history.map(\.manual) == [false, true])
        #expect(loaded.history.map(\.at) == ["2026-01-02T03:04:05.700Z", "2026-01-02T03:05:00.000Z"])
        #expect(loaded.history[0].error == nil)
        #expect(loaded.history[0].payload == nil)
        #expect(loaded.history[1].error == "transition 'submit' failed: explode: boom")
        #expect(json(loaded.history[1].payload) == #"{"answer":42,"tags":["x"]}"#)
        #expect(loaded.error == run.error)
        #expect(loaded.createdAt == run.createdAt)
        #expect(loaded.updatedAt == run.updatedAt)
        // And the whole thing, byte for byte.
        #expect(loaded.asValue.jsonText(pretty: true) == run.asValue.jsonText(pretty: true))

        // A run without an error stores null and reads back nil.
        var fine = loaded
        fine.error = nil
        fine.status = .completed
        try store.save(fine)
        #expect(try store.load("run-1").error == nil)
        #expect(try store.load("run-1").status == .completed)
    }

    @Test func engineRunsRoundTrip() throws {
        let fixture = try Fixture("""
        transitions:
          - id: ask
            from: start
            to: asking
            call:
              - id: req
                tool: request_secrets
                args: { variables: [{ key: API_KEY, description: the key }] }
              - tool: create_document
                args: { document: secret_request, content: "${{ result.data }}" }
          - id: submit
            from: asking
            to: end
            wait: true
            assign:
              answer: ${{ runtime.transition.payload.answer }}
        """)
        defer { fixture.sandbox.remove() }
        let store = RunStore(workspace: fixture.workspace)
        let started = fixture.start(#"{"x": 1}"#)
        try store.save(started)
        let done = try fixture.engine.fire(try store.load(started.id), transition: "submit", payload: value(#"{"answer": "yes"}"#))
        try store.save(done)
        let loaded = try store.load(started.id)
        #expect(loaded.asValue.jsonText() == done.asValue.jsonText())
        #expect(loaded.requestedKeys == ["API_KEY"])
        #expect(loaded.documents.map(\.id) == ["ask-1-secret_request"])
        #expect(json(loaded.toolResults) == #"{"ask":{"req":{"data":{"variables":[{"key":"API_KEY","description":"the key"}]}}}}"#)
        #expect(json(loaded.history.last?.payload) == #"{"answer":"yes"}"#)
    }

    @Test(arguments: ["../x", "..", "a/b", "ABC", "", "run.1", "x y", String(repeating: "a", count: 65), "é"])
    func invalidRunIDsAreRejected(id: String) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.workspace()
        let store = RunStore(workspace: workspace)
        let run = sampleRun(try sampleDefinition(sandbox), id: id)
        #expect(throws: ToolError.self) { try store.save(run) }
        let error = #expect(throws: ToolError.self) { try store.load(id) }
        #expect(error?.message.hasPrefix("invalid run id") == true)
        #expect(throws: ToolError.self) { try store.withLock(id) {} }
        // Nothing was written outside (or inside) the runs directory.
        #expect(!FileManager.default.fileExists(atPath: "\(workspace.stateDirectory)/x.json"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? [] == [])
    }

    @Test func validRunIDsAreAccepted() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let store = RunStore(workspace: try sandbox.workspace())
        let definition = try sampleDefinition(sandbox)
        for id in [RunStore.newID(), "a", "0-9-z", String(repeating: "a", count: 64)] {
            try store.save(sampleRun(definition, id: id))
            #expect(try store.load(id).id == id)
        }
        let id = RunStore.newID()
        #expect(id.count == 12)
        #expect(id.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(RunStore.newID() != id)
    }

    @Test func listIsSortedNewestFirst() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let store = RunStore(workspace: try sandbox.workspace())
        #expect(try store.list().isEmpty)  // no runs directory yet
        let definition = try sampleDefinition(sandbox)
        try store.save(sampleRun(definition, id: "middle", createdAt: "2026-02-01T00:00:00.000Z"))
        try store.save(sampleRun(definition, id: "oldest", createdAt: "2025-12-31T23:59:59.999Z"))
        try store.save(sampleRun(definition, id: "newest", createdAt: "2026-02-01T00:00:00.001Z"))
        try store.withLock("middle") {}  // a lock file is not a run
        try sandbox.write(".loopseal-ignored", "")
        #expect(try store.list().map(\.id) == ["newest", "middle", "oldest"])
    }

    @Test func missingAndDamagedRunsAreReported() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let store = RunStore(workspace: try sandbox.workspace())
        let missing = #expect(throws: ToolError.self) { try store.load("nope") }
        #expect(missing?.message == "no run 'nope': 'loopseal run list' shows the runs of this workspace")

        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        try "{\n  \"id\": \"bad\",\n  oops\n}".write(toFile: "\(store.directory)/bad.json", atomically: true, encoding: .utf8)
        let damaged = #expect(throws: ToolError.self) { try store.load("bad") }
        #expect(damaged?.message.hasPrefix("\(store.directory)/bad.json:3:") == true, "\(damaged?.message ?? "")")

        try #"{"id": "partial"}"#.write(toFile: "\(store.directory)/partial.json", atomically: true, encoding: .utf8)
        let partial = #expect(throws: ToolError.self) { try store.load("partial") }
        #expect(partial?.message.contains("run file has no 'workflow'") == true, "\(partial?.message ?? "")")
    }
}
