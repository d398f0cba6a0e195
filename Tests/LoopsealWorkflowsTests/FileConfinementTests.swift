import Foundation
import Testing
import LoopsealStore
import LoopsealTemplates
@testable import LoopsealWorkflows
import LoopsealValue

/// Issue 11 item 6: `template: ../../keys/alice.key` read a private key into a run's documents.
/// Every file a workflow names (`widget:`, `template:`) must resolve, symbolic links included,
/// inside the workflow's folder; validation reports one that does not at the field, and a run
/// refuses it even when the name only appears at run time.
@Suite("Files a workflow names stay inside its folder")
struct FileConfinementTests {
    /// A private key outside `workflows/`, the way the attack found it.
    static let secretText = "AGE-SECRET-KEY-1CONFINEMENTCANARY0000000000000000000000000000000000000\n"

    /// A sandbox with `keys/alice.key` (the canary), `workflows/templates/ok.md`, and a link
    /// `workflows/templates/link.md` to the key.
    private func sandbox() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.write("keys/alice.key", Self.secretText)
        try sandbox.write("workflows/templates/ok.md", "All good: {{args.who}}\n")
        try sandbox.write("workflows/nested/deeper/ui.yaml", "widgets:\n  - widget: markdown\n")
        try FileManager.default.createSymbolicLink(atPath: "\(sandbox.root)/workflows/templates/link.md",
                                                   withDestinationPath: "\(sandbox.root)/keys/alice.key")
        try FileManager.default.createSymbolicLink(atPath: "\(sandbox.root)/workflows/linked.ui.yaml",
                                                   withDestinationPath: "../keys/alice.key")
        return sandbox
    }

    private func workflow(template: String) -> String {
        """
        transitions:
          - id: report
            from: start
            to: end
            call:
              - tool: create_document
                args: { document: markdown, template: "\(template)" }
        """
    }

    @Test(arguments: [
        ("../keys/alice.key", "resolves outside the workflow's folder"),
        ("templates/../../keys/alice.key", "resolves outside the workflow's folder"),
        ("ABSOLUTE", "is an absolute path"),
        ("templates/link.md", "resolves outside the workflow's folder"),
    ])
    func templateOutsideTheFolderIsReportedAtTheField(name: String, message: String) throws {
        let sandbox = try sandbox()
        defer { sandbox.remove() }
        let name = name == "ABSOLUTE" ? "\(sandbox.root)/keys/alice.key" : name
        let path = try sandbox.write("workflows/flow.yaml", workflow(template: name))
        expectProblems(problems(at: path), [ExpectedProblem(7, 47, "template file '\(name)' \(message)")], defaultFile: path)
    }

    @Test(arguments: ["../keys/alice.key", "ABSOLUTE", "linked.ui.yaml"])
    func widgetFileOutsideTheFolderIsReportedAtTheField(name: String) throws {
        let sandbox = try sandbox()
        defer { sandbox.remove() }
        let name = name == "ABSOLUTE" ? "\(sandbox.root)/keys/alice.key" : name
        let path = try sandbox.write("workflows/flow.yaml", """
        widget: \(name)
        transitions:
          - { id: go, from: start, to: end }
        """)
        let found = problems(at: path)
        expectProblems(found, [ExpectedProblem(1, 9, "widget file '\(name)'")], defaultFile: path)
        #expect(found.first?.message.contains("outside the workflow's folder") == true
                || found.first?.message.contains("absolute path") == true, "\(found)")
        #expect(!found.description.contains("CONFINEMENTCANARY"))
    }

    @Test func nestedFilesInsideTheFolderWork() throws {
        let sandbox = try sandbox()
        defer { sandbox.remove() }
        // A link that stays inside the folder is fine too.
        try FileManager.default.createSymbolicLink(atPath: "\(sandbox.root)/workflows/templates/alias.md",
                                                   withDestinationPath: "ok.md")
        let workspace = try sandbox.workspace()
        let path = try sandbox.write("workflows/flow.yaml", """
        widget: nested/deeper/ui.yaml
        transitions:
          - id: report
            from: start
            to: end
            call:
              - tool: create_document
                args: { document: markdown, template: templates/ok.md }
              - tool: create_document
                args: { document: markdown, template: ./templates/../templates/alias.md }
        """)
        #expect(problems(at: path).isEmpty)
        let definition = try WorkflowValidator.load(path: path)
        #expect(definition.widgets.map(\.widget) == ["markdown"])
        let engine = WorkflowEngine(definition: definition, workspace: workspace, logger: quietLogger)
        let run = engine.start(args: value(#"{"who": "Ada"}"#), workflowFile: path)
        #expect(run.status == .completed, "\(run.error ?? "")")
        #expect(run.documents.map(\.markdown) == ["All good: Ada\n", "All good: Ada\n"])
    }

    /// The name comes from the run's arguments, so validation cannot see it: the tool refuses it.
    @Test(arguments: ["../keys/alice.key", "ABSOLUTE", "templates/link.md"])
    func templateNamedAtRunTimeIsRefusedByTheRun(name: String) throws {
        let sandbox = try sandbox()
        defer { sandbox.remove() }
        let name = name == "ABSOLUTE" ? "\(sandbox.root)/keys/alice.key" : name
        let workspace = try sandbox.workspace()
        let path = try sandbox.write("workflows/flow.yaml", workflow(template: "${{ args.template }}"))
        let definition = try WorkflowValidator.load(path: path)
        let engine = WorkflowEngine(definition: definition, workspace: workspace, logger: quietLogger)
        let run = engine.start(args: .dictionary([("template", .string(name))]), workflowFile: path)
        #expect(run.status == .failed)
        #expect(run.error?.contains("template file '\(name)'") == true, "\(run.error ?? "")")
        #expect(run.documents.isEmpty)
        #expect(!run.asValue.jsonText().contains("CONFINEMENTCANARY"))
    }

    /// A workflow that passed validation, then had its template swapped for a link out of the
    /// folder before the run: the run still refuses it.
    @Test func templateSwappedForALinkAfterValidationIsRefusedByTheRun() throws {
        let sandbox = try sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.workspace()
        let path = try sandbox.write("workflows/flow.yaml", workflow(template: "templates/ok.md"))
        let definition = try WorkflowValidator.load(path: path)
        try FileManager.default.removeItem(atPath: "\(sandbox.root)/workflows/templates/ok.md")
        try FileManager.default.createSymbolicLink(atPath: "\(sandbox.root)/workflows/templates/ok.md",
                                                   withDestinationPath: "../../keys/alice.key")
        let engine = WorkflowEngine(definition: definition, workspace: workspace, logger: quietLogger)
        let run = engine.start(args: value(#"{"who": "Ada"}"#), workflowFile: path)
        #expect(run.status == .failed)
        #expect(run.error?.contains("resolves outside the workflow's folder") == true, "\(run.error ?? "")")
        #expect(!run.asValue.jsonText().contains("CONFINEMENTCANARY"))
    }

    @Test func resolveComparesWholeComponents() throws {
        // `workflows-evil/x` shares a prefix with `workflows` but is not inside it.
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write("workflows/keep.md", "x")
        try sandbox.write("workflows-evil/x.md", "secret")
        try FileManager.default.createSymbolicLink(atPath: "\(sandbox.root)/workflows/x.md",
                                                   withDestinationPath: "../workflows-evil/x.md")
        #expect(throws: WorkflowFile.Problem.outside(name: "x.md", folder: "\(sandbox.root)/workflows")) {
            try WorkflowFile.read("x.md", in: "\(sandbox.root)/workflows")
        }
        #expect(try WorkflowFile.read("keep.md", in: "\(sandbox.root)/workflows") == Array("x".utf8))
        #expect(throws: WorkflowFile.Problem.notFound(name: "missing.md")) {
            try WorkflowFile.read("missing.md", in: "\(sandbox.root)/workflows")
        }
        // The folder itself is not a file inside it.
        #expect(throws: WorkflowFile.Problem.outside(name: ".", folder: "\(sandbox.root)/workflows")) {
            try WorkflowFile.resolve(".", in: "\(sandbox.root)/workflows")
        }
    }
}
