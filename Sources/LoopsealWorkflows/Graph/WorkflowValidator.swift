import Foundation
import LoopsealStore
import LoopsealTemplates

/// Checks a parsed workflow and reports every problem at once (DESIGN.md §6).
public struct WorkflowValidator {
    let definition: WorkflowDefinition
    let tools: ToolRegistry
    private(set) var problems: [WorkflowProblem] = []

    /// Validates `definition` against the tools in `tools`.
    public static func validate(_ definition: WorkflowDefinition, tools: ToolRegistry = .builtIn) -> [WorkflowProblem] {
        var validator = WorkflowValidator(definition: definition, tools: tools)
        validator.run()
        return validator.problems.sorted { ($0.file, $0.line, $0.column) < ($1.file, $1.line, $1.column) }
    }

    /// Loads and validates; throws ``WorkflowValidationError`` with every problem.
    public static func load(path: String, tools: ToolRegistry = .builtIn) throws -> WorkflowDefinition {
        let (parsed, parseProblems) = try WorkflowParser.loadCollecting(path: path)
        let problems = (parseProblems + (parsed.map { validate($0, tools: tools) } ?? []))
            .sorted { ($0.file, $0.line, $0.column) < ($1.file, $1.line, $1.column) }
        guard problems.isEmpty, let definition = parsed else { throw WorkflowValidationError(problems: problems) }
        return definition
    }

    mutating func problem(_ mark: Mark, _ message: String, file: String? = nil) {
        problems.append(WorkflowProblem(file: file ?? definition.file, line: mark.line, column: mark.column, message: message))
    }

    private mutating func run() {
        let graph = TransitionGraph(definition)
        checkIDs()
        checkGraph(graph)
        for transition in definition.transitions {
            if let (guardText, mark) = transition.guardText { checkText(guardText, mark) }
            for call in transition.calls { checkCall(call) }
            checkSubWorkflowCalls(transition)
            for (_, value) in transition.assign { checkValue(value) }
        }
        checkWidgets()
    }

    private mutating func checkIDs() {
        var seen: [String: Mark] = [:]
        for transition in definition.transitions {
            if let first = seen[transition.id] {
                problem(transition.idMark, "duplicate transition id '\(transition.id)' (first used at line \(first.line))")
            } else {
                seen[transition.id] = transition.idMark
            }
        }
    }

    private mutating func checkGraph(_ graph: TransitionGraph) {
        let names = Set(graph.places.map(\.name))
        guard names.contains(TransitionGraph.start) else {
            problem(.start, "no transition leaves 'start': the first transition needs 'from: start'")
            return
        }
        let fromStart = graph.reachable(from: TransitionGraph.start)
        let toEnd = graph.canReach(TransitionGraph.end)
        let stuck = graph.places.filter { fromStart.contains($0.name) && !toEnd.contains($0.name) }
        if !names.contains(TransitionGraph.end) {
            let list = stuck.map { "'\($0.name)'" }.joined(separator: ", ")
            problem(.start, "no transition reaches 'end', so no run can finish (stuck in \(list)): the last transition needs 'to: end'")
        }
        for (place, mark) in graph.places {
            if !fromStart.contains(place) {
                problem(mark, "place '\(place)' cannot be reached from 'start'")
            } else if !toEnd.contains(place) {
                problem(mark, "place '\(place)' cannot reach 'end': runs that get there are stuck")
            }
        }
        if let leaving = graph.outgoing[TransitionGraph.end], let first = leaving.first {
            problem(first.idMark, "transition '\(first.id)' leaves 'end', where runs are complete")
        }
        for place in graph.places.map(\.name) {
            let unguarded = (graph.outgoing[place] ?? []).filter { $0.trigger == .automatic && $0.guardText == nil }
            if unguarded.count > 1 {
                problem(unguarded[1].idMark, "transitions '\(unguarded[0].id)' and '\(unguarded[1].id)' both leave '\(place)' automatically with no 'if': only the first could ever fire")
            }
        }
    }

    private mutating func checkCall(_ call: ToolCallDefinition) {
        guard let tool = tools.tool(named: call.tool) else {
            problem(call.toolMark, "unknown tool '\(call.toolAsWritten)' (known: \(tools.names.joined(separator: ", ")))")
            return
        }
        checkValue(call.args)
        for (_, value) in call.assign { checkValue(value) }
        for issue in tool.validate(call.args, workflow: definition) { problem(issue.mark, issue.message) }
    }

    private mutating func checkValue(_ value: ArgValue) {
        for (text, mark) in value.texts { checkText(text, mark) }
    }

    private mutating func checkText(_ text: TextValue, _ mark: Mark) {
        guard case .template(let source) = text else { return }
        do {
            _ = try TemplateEngine(strict: true).compile(source, name: definition.file)
        } catch {
            problem(mark, "template error at line \(error.line), column \(error.column) of this text: \(error.message)")
        }
    }

    private mutating func checkWidgets() {
        let byID = Dictionary(definition.transitions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for widget in definition.widgets {
            guard let (name, mark) = widget.transition else { continue }
            guard let transition = byID[name] else {
                problem(mark, "widget '\(widget.widget)' names transition '\(name)', which does not exist", file: widget.file)
                continue
            }
            if transition.trigger != .manual {
                problem(mark, "widget '\(widget.widget)' fires transition '\(name)', which is automatic: make it 'wait: true' (or 'trigger: manual')", file: widget.file)
            }
        }
    }
}

/// A problem a tool finds in its own arguments.
public struct ToolArgumentIssue: Sendable {
    /// Where.
    public var mark: Mark
    /// What and what to do.
    public var message: String
}
