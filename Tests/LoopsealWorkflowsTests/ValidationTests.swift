import Foundation
import Testing
import LoopsealTemplates
@testable import LoopsealWorkflows

/// Validation cases that need code. The rules themselves, each on a broken file with the exact
/// line and column reported, are fixtures in `testdata/` (`ValidationFixtureTests`).
@Suite("Workflow validation")
struct ValidationTests {
    /// Writes `yaml` as `flow.yaml` in a fresh sandbox and checks its problems.
    private func check(_ yaml: String, tools: ToolRegistry = .builtIn, _ expected: [ExpectedProblem],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = try sandbox.write("flow.yaml", yaml)
        expectProblems(problems(at: path, tools: tools), expected, defaultFile: path, sourceLocation: sourceLocation)
    }

    /// The loaded definition of `testdata/good_both_spellings.yaml`: names normalised, spellings kept.
    @Test func validWorkflowInBothSpellingsLoadsAsWritten() throws {
        let path = ValidationFixtureTests.folder.appendingPathComponent("good_both_spellings.yaml").path
        #expect(problems(at: path).isEmpty)
        let definition = try WorkflowValidator.load(path: path)
        #expect(definition.name == "good_both_spellings")
        #expect(definition.title == "Example")
        #expect(definition.transitions.map(\.id) == ["ask", "submit", "done", "retry"])
        #expect(definition.transitions[0].calls[0].tool == "request_secrets")
        #expect(definition.transitions[0].calls[0].toolAsWritten == "requestSecrets")
        #expect(definition.transitions[1].calls[0].tool == "get_secret_keys")
        #expect(definition.transitions[1].trigger == .manual)
        #expect(definition.widgets.count == 1)
        #expect(definition.widgets.first?.transition?.0 == "submit")
    }

    /// Found with the fuzz harnesses: a template that is a FIFO made validation read forever. Only
    /// regular files are read (paths outside the folder: `fail_template_and_widget_outside_the_folder.yaml`).
    @Test func templateThatIsAFIFOIsReportedWithoutReadingIt() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        #expect(mkfifo("\(sandbox.root)/pipe.md", 0o600) == 0)
        let path = try sandbox.write("flow.yaml", """
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: create_document
                args: { document: markdown, template: pipe.md }
        """)
        let found = problems(at: path)
        #expect(found.count == 1 && found.first?.message.contains("not a regular file") == true, "\(found)")
    }

    @Test func aMissingWorkflowFileIsAnError() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        #expect(throws: WorkflowValidationError.self) { try WorkflowParser.load(path: "\(sandbox.root)/absent.yaml") }
    }

    @Test func problemsPrintAsFileLineColumn() {
        let problem = WorkflowProblem(file: "w.yaml", line: 3, column: 7, message: "bad")
        #expect(problem.description == "w.yaml:3:7: bad")
        #expect(WorkflowValidationError(problems: [problem, problem]).description == "w.yaml:3:7: bad\nw.yaml:3:7: bad")
    }

    @Test func customToolsAreKnownToTheValidator() throws {
        let yaml = """
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: flaky
        """
        try check(yaml, [ExpectedProblem(6, 15, "unknown tool 'flaky'")])
        try check(yaml, tools: testTools([FlakyTool(failures: 0, recorder: Recorder())]), [])
    }
}
