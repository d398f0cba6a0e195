import LoopsealTemplates
import Yams
import LoopsealValue

/// Reads widgets from a `*.ui.yaml` file or a workflow's `ui:`: one widget at the top level,
/// or a `widgets:` list. Loopstack's `title`/`description`/`form` keys are accepted and hold no widget.
struct WidgetParser {
    let file: String
    private(set) var problems: [WorkflowProblem] = []

    init(file: String) { self.file = file }

    mutating func parse(_ node: Node) -> [WidgetDefinition] {
        guard case .mapping(let mapping) = node else {
            problem(node, "widgets are a mapping with 'widget:' or a 'widgets:' list")
            return []
        }
        if let list = mapping["widgets"] {
            guard case .sequence(let items) = list else {
                problem(list, "'widgets' must be a list")
                return []
            }
            return items.compactMap { widget($0) }
        }
        if mapping["widget"] != nil { return widget(node).map { [$0] } ?? [] }
        return []
    }

    private mutating func problem(_ node: Node, _ message: String) {
        let mark = WorkflowParser.mark(node)
        problems.append(WorkflowProblem(file: file, line: mark.line, column: mark.column, message: message))
    }

    private mutating func places(_ node: Node?) -> [String] {
        switch node {
        case .scalar(let s)?: return [s.string]
        case .sequence(let items)?: return items.compactMap(\.string)
        case let other?:
            problem(other, "expected a place or a list of places")
            return []
        case nil: return []
        }
    }

    private mutating func widget(_ node: Node) -> WidgetDefinition? {
        guard case .mapping(let mapping) = node, let kind = mapping["widget"]?.string else {
            problem(node, "a widget needs 'widget:' (form, button, secret-input, markdown, prompt-input, …)")
            return nil
        }
        var transition: (String, Mark)?
        var label: String?
        var options = TemplateValue.dictionary([])
        if let optionsNode = mapping["options"] {
            options = TemplateValue(yaml: optionsNode)
            if case .mapping(let optionMapping) = optionsNode {
                if let t = optionMapping["transition"] { transition = t.string.map { ($0, WorkflowParser.mark(t)) } }
                label = optionMapping["label"]?.string
            }
        }
        return WidgetDefinition(widget: kind, enabledWhen: places(mapping["enabledWhen"]), showWhen: places(mapping["showWhen"]),
                                transition: transition, label: label, options: options, file: file, mark: WorkflowParser.mark(node))
    }
}
