import Foundation
import Testing
import LoopsealTemplates
@testable import LoopsealWorkflows

/// Widgets from `*.ui.yaml` files (`widget:`) and inline `ui:` (DESIGN.md §6). The rules that
/// check widgets against transitions are in ValidationTests.
@Suite("Widgets")
struct WidgetTests {
    @Test func widgetFileWithAListIsRead() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write("ui/flow.ui.yaml", """
        title: Loopstack-style title
        description: ignored
        widgets:
          - widget: secret-input
            enabledWhen: asking
            showWhen: [asking, checking]
            options:
              transition: submit
              label: Save secrets
              properties:
                API_KEY: { type: string, title: API key }
          - widget: markdown
          - widget: form
            enabledWhen: [asking]
            options:
              transition: submit
              actions: [{ type: button, label: Go }]
        """)
        let definition = try sandbox.workflow("""
        widget: ui/flow.ui.yaml
        transitions:
          - id: ask
            from: start
            to: asking
          - id: submit
            from: asking
            to: checking
            wait: true
          - id: check
            from: checking
            to: end
        """)
        #expect(definition.widgetFile?.0 == "ui/flow.ui.yaml")
        #expect(definition.widgetFile?.1 == Mark(line: 1, column: 9))
        let widgets = definition.widgets
        #expect(widgets.map(\.widget) == ["secret-input", "markdown", "form"])
        #expect(widgets.map(\.file) == Array(repeating: "\(sandbox.root)/ui/flow.ui.yaml", count: 3))
        #expect(widgets[0].enabledWhen == ["asking"])
        #expect(widgets[0].showWhen == ["asking", "checking"])
        #expect(widgets[0].transition?.0 == "submit")
        #expect(widgets[0].transition?.1 == Mark(line: 8, column: 19))
        #expect(widgets[0].label == "Save secrets")
        #expect(json(widgets[0].options.property("properties")) == #"{"API_KEY":{"type":"string","title":"API key"}}"#)
        #expect(widgets[0].mark == Mark(line: 4, column: 5))
        #expect(widgets[1].transition == nil)
        #expect(widgets[1].enabledWhen.isEmpty && widgets[1].showWhen.isEmpty)
        #expect(widgets[1].label == nil)
        #expect(json(widgets[2].options.property("actions")) == #"[{"type":"button","label":"Go"}]"#)
    }

    @Test func singleInlineWidgetIsRead() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let definition = try sandbox.workflow("""
        ui:
          widget: prompt-input
          showWhen: waiting
          options: { transition: answer, label: Answer }
        transitions:
          - id: ask
            from: start
            to: waiting
          - id: answer
            from: waiting
            to: end
            trigger: manual
        """)
        #expect(definition.widgetFile == nil)
        #expect(definition.widgets.count == 1)
        let widget = try #require(definition.widgets.first)
        #expect(widget.widget == "prompt-input")
        #expect(widget.showWhen == ["waiting"])
        #expect(widget.transition?.0 == "answer")
        #expect(widget.label == "Answer")
        #expect(widget.file == "\(sandbox.root)/flow.yaml")
    }

    @Test func inlineAndFileWidgetsAreCombined() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write("flow.ui.yaml", "widget: button\noptions: { transition: go }\n")
        let definition = try sandbox.workflow("""
        ui:
          widgets:
            - widget: markdown
        widget: flow.ui.yaml
        transitions:
          - id: go
            from: start
            to: end
            wait: true
        """)
        #expect(definition.widgets.map(\.widget) == ["markdown", "button"])
    }

    @Test func loopstackFileWithoutWidgetsHoldsNone() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write("flow.ui.yaml", "title: Just a title\nform:\n  properties: {}\n")
        let definition = try sandbox.workflow("""
        widget: flow.ui.yaml
        transitions:
          - id: go
            from: start
            to: end
        """)
        #expect(definition.widgets.isEmpty)
    }

    @Test func malformedWidgetsAreReportedWithPositions() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let uiPath = try sandbox.write("flow.ui.yaml", """
        widgets:
          - options: { transition: go }
          - widget: button
            enabledWhen: { place: x }
        """)
        let path = try sandbox.write("flow.yaml", """
        widget: flow.ui.yaml
        ui:
          widgets: not-a-list
        transitions:
          - id: go
            from: start
            to: end
            wait: true
        """)
        // Sorted by file, then position: flow.ui.yaml before flow.yaml.
        expectProblems(problems(at: path), [
            ExpectedProblem(2, 5, "a widget needs 'widget:'", file: uiPath),
            ExpectedProblem(4, 18, "expected a place or a list of places", file: uiPath),
            ExpectedProblem(3, 12, "'widgets' must be a list"),
        ], defaultFile: path)
    }

    @Test func invalidYAMLInTheWidgetFileIsReportedThere() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let uiPath = try sandbox.write("flow.ui.yaml", "widget: button\noptions: a: b\n")
        let path = try sandbox.write("flow.yaml", """
        widget: flow.ui.yaml
        transitions:
          - id: go
            from: start
            to: end
        """)
        expectProblems(problems(at: path), [ExpectedProblem(2, 11, "invalid YAML", file: uiPath)], defaultFile: path)
    }
}
