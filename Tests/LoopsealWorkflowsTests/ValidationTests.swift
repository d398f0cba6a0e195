import Foundation
import Testing
import LoopsealTemplates
@testable import LoopsealWorkflows

/// Every validation rule (DESIGN.md §6) on a broken file, with the exact line and column reported.
/// Lines and columns are 1-based; comments in the YAML give the column of the reported node.
@Suite("Workflow validation")
struct ValidationTests {
    /// Writes `yaml` as `flow.yaml` in a fresh sandbox and returns its problems.
    private func check(_ yaml: String, files: [String: String] = [:], tools: ToolRegistry = .builtIn,
                       _ expected: [ExpectedProblem], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        for (name, text) in files { try sandbox.write(name, text) }
        let path = try sandbox.write("flow.yaml", yaml)
        let found = problems(at: path, tools: tools)
        let resolved = expected.map { want -> ExpectedProblem in
            var want = want
            if let file = want.file { want.file = "\(sandbox.root)/\(file)" }
            return want
        }
        expectProblems(found, resolved, defaultFile: path, sourceLocation: sourceLocation)
    }

    @Test func validWorkflowInBothSpellingsHasNoProblems() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write("templates/done.md", "Done: {{#each secretKeys}}{{key}} {{/each}}\n")
        try sandbox.write("flow.ui.yaml", """
        widgets:
          - widget: button
            enabledWhen: [asking]
            options: { transition: submit, label: Submit }
        """)
        let path = try sandbox.write("flow.yaml", """
        title: Example
        description: Everything valid
        widget: flow.ui.yaml
        transitions:
          - id: ask
            from: start
            to: asking
            call:
              - tool: requestSecrets
                args:
                  variables:
                    - key: API_KEY
                      description: key
              - tool: create_document
                args: { document: secretRequestDocument, content: { variables: [{ key: API_KEY }] } }
          - id: submit
            from: asking
            to: checking
            trigger: manual
            call:
              - tool: get-secret-keys
                assign: { secretKeys: "${{ result.data }}" }
          - id: done
            from: checking
            to: end
            if: "${{ state.secretKeys.length > 0 }}"
            call:
              - tool: create_document
                args: { document: markdown, template: templates/done.md }
          - id: retry
            from: checking
            to: asking
            if: "{{ not state.secretKeys }}"
        """)
        #expect(problems(at: path).isEmpty)
        let definition = try WorkflowValidator.load(path: path)
        #expect(definition.name == "flow")
        #expect(definition.title == "Example")
        #expect(definition.transitions.map(\.id) == ["ask", "submit", "done", "retry"])
        #expect(definition.transitions[0].calls[0].tool == "request_secrets")
        #expect(definition.transitions[0].calls[0].toolAsWritten == "requestSecrets")
        #expect(definition.transitions[1].calls[0].tool == "get_secret_keys")
        #expect(definition.transitions[1].trigger == .manual)
        #expect(definition.widgets.count == 1)
        #expect(definition.widgets.first?.transition?.0 == "submit")
    }

    // MARK: Tools and documents

    @Test func unknownToolIsReportedAtTheToolName() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: fetch_weather
        """, [ExpectedProblem(6, 15, "unknown tool 'fetch_weather'")])
    }

    @Test func unknownDocumentTypeIsReportedAtTheValue() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: create_document
                args:
                  document: spreadsheet
                  content: { text: hi }
        """, [ExpectedProblem(8, 21, "unknown document type 'spreadsheet'")])
    }

    @Test func missingTemplateFileIsReportedAtThePath() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: create_document
                args:
                  document: markdown
                  template: templates/missing.md
        """, [ExpectedProblem(9, 21, "template file 'templates/missing.md' not found")])
    }

    /// Found with the fuzz harnesses: `template: ../../dev/zero` (or a widget file that is a
    /// FIFO) made validation read forever. Only regular files are read.
    @Test func templateOrWidgetThatIsNotARegularFileIsReportedWithoutReadingIt() throws {
        let zero = String(repeating: "../", count: 32) + "dev/zero"
        try check("""
        widget: \(zero)
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: create_document
                args: { document: markdown, template: \(zero) }
        """, [ExpectedProblem(1, 9, "widget file '\(zero)' resolves outside the workflow's folder"),
              ExpectedProblem(8, 47, "template file '\(zero)' resolves outside the workflow's folder")])
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

    @Test func templateFileThatDoesNotCompileIsReportedAtThePath() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: create_document
                args: { document: markdown, template: broken.md }
        """, files: ["broken.md": "{{#if ready}}\nnever closed\n"],
        [ExpectedProblem(7, 47, "template 'broken.md' does not compile")])
    }

    @Test func createDocumentWithoutATypeIsReportedAtTheCall() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: create_document
        """, [ExpectedProblem(6, 9, "create_document needs 'document: TYPE'")])
    }

    /// An empty `args: {}` has no pairs to take a position from: the problem must still point at it.
    @Test func emptyArgsAreReportedWhereTheyAreWritten() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: create_document
                args: {}
              - tool: request_secrets
                args:
                  variables: [{}]
        """, [
            ExpectedProblem(7, 15, "create_document needs 'document: TYPE'"),
            ExpectedProblem(10, 23, "each variable needs 'key: NAME'"),
        ])
    }

    // MARK: Transitions and the graph

    @Test func duplicateTransitionIDIsReportedAtTheSecondID() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: middle
          - id: go
            from: middle
            to: end
        """, [ExpectedProblem(5, 9, "duplicate transition id 'go' (first used at line 2)")])
    }

    @Test func placeUnreachableFromStartIsReportedAtItsFirstMention() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
          - id: orphaned
            from: island
            to: end
        """, [ExpectedProblem(6, 11, "place 'island' cannot be reached from 'start'")])
    }

    @Test func placeThatCannotReachEndIsReportedAtItsFirstMention() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            if: ${{ args.fast }}
          - id: detour
            from: start
            to: dead_end
        """, [ExpectedProblem(8, 9, "place 'dead_end' cannot reach 'end'")])
    }

    @Test func twoUnguardedAutomaticTransitionsAreReportedAtTheSecondID() throws {
        // A guarded and a manual transition leaving the same place are fine.
        try check("""
        transitions:
          - id: first
            from: start
            to: end
          - id: guarded
            from: start
            to: end
            if: ${{ args.x }}
          - id: manual
            from: start
            to: end
            wait: true
          - id: second
            from: start
            to: end
        """, [ExpectedProblem(13, 9, "transitions 'first' and 'second' both leave 'start' automatically")])
    }

    @Test func workflowWithoutStartOrEndIsReported() throws {
        try check("""
        transitions:
          - id: go
            from: begin
            to: finish
        """, [ExpectedProblem(1, 1, "no transition leaves 'start'")])
        try check("""
        transitions:
          - id: go
            from: start
            to: finish
        """, [ExpectedProblem(1, 1, "no transition reaches 'end', so no run can finish (stuck in 'start', 'finish')"),
              ExpectedProblem(3, 11, "place 'start' cannot reach 'end'"),
              ExpectedProblem(4, 9, "place 'finish' cannot reach 'end'")])
    }

    /// Issue 11 item 13: without 'end', the report named no place; each stuck place is named at
    /// its first mention, and places that do lead to a finish are not.
    @Test func everyPlaceThatCannotReachEndIsNamed() throws {
        try check("""
        transitions:
          - id: ask
            from: start
            to: asking
          - id: loop
            from: asking
            to: waiting
            wait: true
          - id: back
            from: waiting
            to: asking
            wait: true
        """, [ExpectedProblem(1, 1, "(stuck in 'start', 'asking', 'waiting')"),
              ExpectedProblem(3, 11, "place 'start' cannot reach 'end'"),
              ExpectedProblem(4, 9, "place 'asking' cannot reach 'end'"),
              ExpectedProblem(7, 9, "place 'waiting' cannot reach 'end'")])
        try check("""
        transitions:
          - id: go
            from: start
            to: end
          - id: detour
            from: start
            to: side
            wait: true
          - id: deeper
            from: side
            to: stuck
        """, [ExpectedProblem(7, 9, "place 'side' cannot reach 'end'"),
              ExpectedProblem(11, 9, "place 'stuck' cannot reach 'end'")])
    }

    @Test func transitionLeavingEndIsReported() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
          - id: again
            from: end
            to: start
            wait: true
        """, [ExpectedProblem(5, 9, "transition 'again' leaves 'end'")])
    }

    // MARK: Expressions and templates

    @Test func expressionSyntaxErrorInIfIsReportedAtTheValue() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            if: ${{ a == }}
        """, [ExpectedProblem(5, 9, "invalid expression in 'if'")])
    }

    @Test func expressionSyntaxErrorInArgsAndAssignIsReportedAtTheValue() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: create_document
                args:
                  document: message
                  content: { text: "${{ a == }}" }
                assign: { x: "total ${{ (b }}" }
            assign:
              y: ${{ a == }}
        """, [
            ExpectedProblem(9, 28, "invalid expression"),
            ExpectedProblem(10, 22, "invalid expression"),
            ExpectedProblem(12, 10, "invalid expression"),
        ])
    }

    @Test func templateSyntaxErrorInArgsIsReportedAtTheValue() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: create_document
                args:
                  document: markdown
                  content:
                    markdown: "{{#if x}}never closed"
        """, [ExpectedProblem(10, 23, "template error")])
    }

    @Test func templateSyntaxErrorInIfIsReportedAtTheValue() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            if: "{{#if x}}yes"
        """, [ExpectedProblem(5, 9, "template error")])
    }

    @Test func templateInAssignIsCheckedToo() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            assign:
              summary: "{{#each items}}{{this}}"
        """, [ExpectedProblem(6, 16, "template error")])
    }

    // MARK: Widgets

    @Test func widgetFileNamingAnAutomaticTransitionIsReportedInTheWidgetFile() throws {
        try check("""
        widget: flow.ui.yaml
        transitions:
          - id: go
            from: start
            to: end
        """, files: ["flow.ui.yaml": """
        widgets:
          - widget: button
            options:
              transition: go
              label: Go
        """], [ExpectedProblem(4, 19, "fires transition 'go', which is automatic", file: "flow.ui.yaml")])
    }

    @Test func inlineWidgetNamingAnAutomaticTransitionIsReported() throws {
        try check("""
        ui:
          widget: form
          options:
            transition: go
        transitions:
          - id: go
            from: start
            to: end
        """, [ExpectedProblem(4, 17, "fires transition 'go', which is automatic")])
    }

    @Test func widgetNamingAnUnknownTransitionIsReported() throws {
        try check("""
        widget: flow.ui.yaml
        ui:
          widgets:
            - widget: button
              options: { transition: nowhere }
        transitions:
          - id: go
            from: start
            to: end
        """, files: ["flow.ui.yaml": """
        widget: secret-input
        options:
          transition: missing_one
        """], [
            // Sorted by file: flow.ui.yaml comes before flow.yaml.
            ExpectedProblem(3, 15, "names transition 'missing_one', which does not exist", file: "flow.ui.yaml"),
            ExpectedProblem(5, 30, "names transition 'nowhere', which does not exist"),
        ])
    }

    @Test func missingWidgetFileIsReportedAtTheName() throws {
        try check("""
        title: t
        widget: nothere.ui.yaml
        transitions:
          - id: go
            from: start
            to: end
        """, [ExpectedProblem(2, 9, "widget file 'nothere.ui.yaml' not found")])
    }

    // MARK: YAML shape

    @Test func invalidYAMLIsReportedWhereTheScannerStopped() throws {
        // The second ':' on line 2 is the error.
        try check("""
        title: ok
        description: a: b
        transitions: []
        """, [ExpectedProblem(2, 15, "invalid YAML")])
    }

    @Test func unterminatedFlowListIsInvalidYAML() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let path = try sandbox.write("flow.yaml", "transitions:\n  - id: go\n    from: [start\n    to: end\n")
        let found = problems(at: path)
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("invalid YAML") == true)
        #expect(found.first.map { $0.line >= 3 } == true, "\(found)")
    }

    /// Found with the fuzz harnesses: a 534-byte workflow whose nested aliases expand to 10^7 nodes made
    /// loading it run for minutes. It is refused before its arguments are read.
    @Test func aliasesThatExplodeAreRefused() throws {
        var yaml = "transitions:\n  - id: go\n    from: start\n    to: end\n    call:\n      - tool: create_document\n        args:\n          document: markdown\n          l0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<7 {
            yaml += "          l\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let found = problems(at: try sandbox.write("flow.yaml", yaml))
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.line == 1 && found.first?.message.hasPrefix("YAML aliases expand this") == true, "\(found)")
    }

    /// Found with the fuzz harnesses (in workspace.yaml): keys that differ only by a YAML tag
    /// are different to Yams but the same to Loopseal, which reads keys as text.
    @Test func keysThatDifferOnlyByATagAreReported() throws {
        try check("""
        transitions:
          - {id: go, !x id: other, from: start, to: end}
        """, [ExpectedProblem(2, 14, "key 'id' appears twice")])
    }

    @Test func unknownFieldsAreReportedAtTheKey() throws {
        try check("""
        titel: Misspelled
        transitions:
          - id: go
            form: start
            from: start
            to: end
            call:
              - tool: get_secret_keys
                arguments: {}
        """, [
            ExpectedProblem(1, 1, "unknown field 'titel'"),
            ExpectedProblem(4, 5, "unknown field 'form' in a transition"),
            ExpectedProblem(9, 9, "unknown field 'arguments' in a call"),
        ])
    }

    @Test func missingIDIsReportedAtTheTransition() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
          - from: start
            to: end
            wait: true
        """, [ExpectedProblem(5, 5, "transition without 'id'")])
    }

    @Test func missingFromIsReportedAtTheTransition() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
          - id: lost
            to: end
        """, [ExpectedProblem(5, 5, "transition 'lost' has no 'from'")])
    }

    @Test func missingToIsReportedAtTheTransition() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
          - id: nowhere
            from: start
            wait: true
        """, [ExpectedProblem(5, 5, "transition 'nowhere' has no 'to'")])
    }

    @Test func badScalarsAreReportedAtTheValue() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            wait: sometimes
            trigger: later
            retryAttempts: many
            retryDelay: -5
        """, [
            ExpectedProblem(5, 11, "'wait' must be true or false"),
            ExpectedProblem(6, 14, "unknown trigger 'later'"),
            ExpectedProblem(7, 20, "'retryAttempts' must be a whole number"),
            ExpectedProblem(8, 17, "'retryDelay' must be milliseconds"),
        ])
    }

    @Test func missingTransitionsAndEmptyFiles() throws {
        try check("title: nothing\n", [
            ExpectedProblem(1, 1, "missing 'transitions:'"),
            ExpectedProblem(1, 1, "no transition leaves 'start'"),
        ])
        try check("", [ExpectedProblem(1, 1, "empty workflow")])
        try check("- a\n- b\n", [ExpectedProblem(1, 1, "a workflow is a mapping")])
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        #expect(throws: WorkflowValidationError.self) { try WorkflowParser.load(path: "\(sandbox.root)/absent.yaml") }
    }

    // MARK: Several problems at once

    @Test func severalValidationProblemsAreAllReportedInFileOrder() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: middle
            call:
              - tool: teleport
              - tool: create_document
                args: { document: scroll }
          - id: go
            from: middle
            to: end
          - id: stray
            from: island
            to: end
            if: "{{#if x}}"
          - id: onwards
            from: middle
            to: end
        """, [
            ExpectedProblem(6, 15, "unknown tool 'teleport'"),
            ExpectedProblem(8, 27, "unknown document type 'scroll'"),
            ExpectedProblem(9, 9, "duplicate transition id 'go'"),
            ExpectedProblem(13, 11, "place 'island' cannot be reached"),
            ExpectedProblem(15, 9, "template error"),
            ExpectedProblem(16, 9, "transitions 'go' and 'onwards' both leave 'middle'"),
        ])
    }

    @Test func severalShapeProblemsAreAllReportedInFileOrder() throws {
        try check("""
        transitions:
          - id: first
            from: start
            to: end
            colour: blue
            if: ${{ a == }}
          - from: start
            to: end
          - id: second
            from: start
        """, [
            ExpectedProblem(5, 5, "unknown field 'colour'"),
            ExpectedProblem(6, 9, "invalid expression in 'if'"),
            ExpectedProblem(7, 5, "transition without 'id'"),
            ExpectedProblem(9, 5, "transition 'second' has no 'to'"),
        ])
    }

    /// A shape problem (an unknown field) must not hide the graph and tool problems of the same file.
    @Test func shapeAndValidationProblemsAreReportedTogether() throws {
        try check("""
        titel: Misspelled
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: teleport
        """, [
            ExpectedProblem(1, 1, "unknown field 'titel'"),
            ExpectedProblem(7, 15, "unknown tool 'teleport'"),
        ])
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

    @Test func requestSecretsArgumentsAreChecked() throws {
        try check("""
        transitions:
          - id: go
            from: start
            to: end
            call:
              - tool: request_secrets
                args:
                  variables:
                    - key: not-a-valid-key
                    - description: no key
        """, [
            ExpectedProblem(9, 20, "not-a-valid-key"),
            ExpectedProblem(10, 15, "each variable needs 'key: NAME'"),
        ])
    }
}
