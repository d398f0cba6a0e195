import Foundation
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
@testable import LoopsealWorkflows
import Testing
import LoopsealValue

/// A run cannot grow without bound (issue 11): payloads, input, history, documents and the run
/// file have limits, each refused with an error that names the limit and what to do.
@Suite("Run limits")
struct RunLimitTests {
    static let selfLoop = """
        transitions:
          - id: open
            from: start
            to: waiting
          - id: again
            from: waiting
            to: waiting
            wait: true
            assign:
              last: ${{ runtime.transition.payload }}
          - id: finish
            from: waiting
            to: end
            wait: true
        """

    private func service(_ text: String) throws -> (RunService, WorkflowDefinition, Sandbox) {
        let sandbox = try Sandbox()
        let workspace = try sandbox.workspace()
        let definition = try sandbox.workflow(text, name: "workflows/flow.yaml")
        return (RunService(workspace: workspace), definition, sandbox)
    }

    private func blob(_ bytes: Int) -> TemplateValue { .string(String(repeating: "x", count: bytes)) }

    @Test("a payload over the limit is refused before the transition runs; the run file is unchanged")
    func payload() throws {
        let (runs, definition, sandbox) = try service(Self.selfLoop)
        defer { sandbox.remove() }
        let run = try runs.start(definition, file: "workflows/flow.yaml")
        let file = try RunStore(workspace: runs.workspace).file(run.id)
        let before = try #require(FileManager.default.contents(atPath: file))
        #expect(throws: RunServiceError.self) {
            try runs.fire(runID: run.id, transition: "again", payload: .dictionary([("note", blob(RunLimits.maxPayloadBytes))]))
        }
        do {
            _ = try runs.fire(runID: run.id, transition: "again", payload: .dictionary([("note", blob(RunLimits.maxPayloadBytes))]))
        } catch let error as RunServiceError {
            guard case .payloadTooLarge(let bytes, let limit) = error else { Issue.record("got \(error)"); return }
            #expect(bytes > limit)
            #expect(error.description.contains("a payload may hold at most \(RunLimits.maxPayloadBytes)"))
        }
        #expect(FileManager.default.contents(atPath: file) == before)
        let fired = try runs.fire(runID: run.id, transition: "again", payload: .dictionary([("note", blob(1000))]))
        #expect(fired.history.count == 2)
    }

    @Test("a run input over the limit is refused and no run is saved")
    func input() throws {
        let (runs, definition, sandbox) = try service(Self.selfLoop)
        defer { sandbox.remove() }
        do {
            _ = try runs.start(definition, file: "workflows/flow.yaml", args: .dictionary([("blob", blob(RunLimits.maxInputBytes))]))
            Issue.record("expected inputTooLarge")
        } catch RunServiceError.inputTooLarge(let bytes, let limit) {
            #expect(bytes > limit && limit == RunLimits.maxInputBytes)
        }
        #expect(try runs.runs().isEmpty)
    }

    @Test("a full run refuses provided secrets before storing any value")
    func provideSecretsToAFullRun() throws {
        let (runs, definition, sandbox) = try service("""
            transitions:
              - id: ask
                from: start
                to: asking
                call:
                  - tool: request_secrets
                    args: { variables: [{ key: NEW_TOKEN }] }
              - id: given
                from: asking
                to: end
                wait: true
            """)
        defer { sandbox.remove() }
        var run = try runs.start(definition, file: "workflows/flow.yaml")
        let entry = try #require(run.history.first)
        run.history = Array(repeating: entry, count: RunLimits.maxHistory)
        try RunStore(workspace: runs.workspace).save(run)
        let value = try SecureBytes(copying: Array("v".utf8))
        let error = #expect(throws: RunServiceError.self) {
            try runs.provideSecrets(runID: run.id, values: [(key: "NEW_TOKEN", value: value)])
        }
        #expect(error?.description.contains("has taken \(RunLimits.maxHistory) transitions") == true)
        #expect(try SecretService(workspace: runs.workspace).find(key: "NEW_TOKEN")?.hasValue == false)
    }

    @Test("a run that has taken the most transitions refuses another, and an automatic loop stops there")
    func history() throws {
        let (runs, definition, sandbox) = try service(Self.selfLoop)
        defer { sandbox.remove() }
        var run = try runs.start(definition, file: "workflows/flow.yaml")
        let entry = try #require(run.history.first)
        run.history = Array(repeating: entry, count: RunLimits.maxHistory)
        do {
            _ = try runs.engine(definition).fire(run, transition: "again")
            Issue.record("expected historyFull")
        } catch let error as RunServiceError {
            #expect(error.description == "run '\(run.id)' has taken \(RunLimits.maxHistory) transitions, as many as a run may: start a new run")
        }

        let loop = try sandbox.workflow("""
            transitions:
              - id: forth
                from: [start, b]
                to: a
              - id: back
                from: a
                to: b
              - id: out
                from: b
                to: end
                if: ${{ args.stop }}
            """, name: "workflows/loop.yaml")
        let looped = runs.engine(loop).start(workflowFile: "workflows/loop.yaml")
        #expect(looped.status == .failed)
        #expect(looped.history.count == RunLimits.maxHistory)
        #expect(looped.error?.contains("as many as a run may") == true)
    }

    @Test("a transition whose document is over the limit fails, naming the document")
    func document() throws {
        let (runs, definition, sandbox) = try service("""
            transitions:
              - id: report
                from: start
                to: end
                call:
                  - tool: create_document
                    args:
                      document: message
                      content: { a: "${{ args.blob }}", b: "${{ args.blob }}", c: "${{ args.blob }}", d: "${{ args.blob }}", e: "${{ args.blob }}" }
            """)
        defer { sandbox.remove() }
        let run = try runs.start(definition, file: "workflows/flow.yaml", args: .dictionary([("blob", blob(60_000))]))
        #expect(run.status == .failed)
        #expect(run.documents.isEmpty)
        #expect(run.error?.contains("a run document may hold at most \(RunLimits.maxDocumentBytes)") == true, "\(run.error ?? "")")
    }

    @Test("a run that would outgrow its file limit is not saved: the error says so")
    func runFile() throws {
        let assigns = (1...40).map { "      k\($0): ${{ args.blob }}" }.joined(separator: "\n")
        let (runs, definition, sandbox) = try service("""
            transitions:
              - id: hoard
                from: start
                to: end
                assign:
            \(assigns)
            """)
        defer { sandbox.remove() }
        do {
            _ = try runs.start(definition, file: "workflows/flow.yaml", args: .dictionary([("blob", blob(60_000))]))
            Issue.record("expected runTooLarge")
        } catch let error as RunServiceError {
            guard case .runTooLarge(_, let bytes, let limit) = error else { Issue.record("got \(error)"); return }
            #expect(bytes > limit && limit == RunLimits.maxRunBytes)
            #expect(error.description.contains("the run was not saved"))
        }
        #expect(try runs.runs().isEmpty)
    }
}
