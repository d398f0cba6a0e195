import Foundation
import LoopsealStore
import LoopsealTemplates
import LoopsealYAML
import Yams
import LoopsealValue

/// Reads workflow YAML into a ``WorkflowDefinition``, keeping the line and column of every
/// node and collecting every problem instead of stopping at the first.
public struct WorkflowParser {
    /// The file name used in problems.
    public let file: String
    private var problems: [WorkflowProblem] = []

    static let topLevelFields = ["title", "description", "widget", "ui", "transitions"]
    static let transitionFields = ["id", "description", "from", "to", "wait", "trigger", "if", "call", "assign",
                                   "onError", "retryAttempts", "retryDelay"]
    static let callFields = ["id", "tool", "args", "assign"]

    /// Parses the workflow at `path`, loading its widget file. Throws ``WorkflowValidationError``
    /// with every syntax and shape problem found.
    public static func load(path: String) throws -> WorkflowDefinition {
        let (definition, problems) = try loadCollecting(path: path)
        guard problems.isEmpty, let definition else { throw WorkflowValidationError(problems: problems) }
        return definition
    }

    /// Parses as far as possible: the definition (nil when the YAML itself is unreadable) and
    /// every problem found on the way, so validation can add its own to the same report.
    static func loadCollecting(path: String) throws -> (WorkflowDefinition?, [WorkflowProblem]) {
        guard let bytes = try FileIO.contentsIfExists(path, limit: FileLimits.workflowFile, kind: "workflow file") else {
            return (nil, [WorkflowProblem(file: path, line: 1, column: 1, message: "no such workflow file")])
        }
        return parse(text: String(decoding: bytes, as: UTF8.self), file: path)
    }

    /// Parses `text` as the workflow file `file`.
    static func parse(text: String, file: String) -> (WorkflowDefinition?, [WorkflowProblem]) {
        var parser = WorkflowParser(file: file)
        let definition = parser.parse(text)
        return (definition, parser.problems)
    }

    init(file: String) { self.file = file }

    mutating func problem(_ mark: Mark, _ message: String) {
        problems.append(WorkflowProblem(file: file, line: mark.line, column: mark.column, message: message))
    }

    static func mark(_ node: Node?) -> Mark {
        node?.mark.map { Mark(line: $0.line, column: $0.column) } ?? .start
    }

    static func compose(_ text: String, file: String) -> Result<Node?, WorkflowProblem> {
        do {
            let root = try Yams.compose(yaml: text)
            if let root, let problem = YAMLLimits.check(root, byteCount: text.utf8.count) {
                return .failure(WorkflowProblem(file: file, line: problem.line, column: problem.column, message: problem.message))
            }
            return .success(root)
        } catch let error as YamlError {
            switch error {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
                let detail = context.map { "\(problem) \($0.text)" } ?? problem
                return .failure(WorkflowProblem(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(detail)"))
            case let .duplicatedKeysInMapping(duplicates, context):
                return .failure(WorkflowProblem(file: file, line: context.mark.line, column: context.mark.column,
                                                message: "duplicate keys: \(duplicates.joined(separator: ", "))"))
            default:
                return .failure(WorkflowProblem(file: file, line: 1, column: 1, message: "invalid YAML"))
            }
        } catch {
            return .failure(WorkflowProblem(file: file, line: 1, column: 1, message: "invalid YAML"))
        }
    }

    mutating func parse(_ text: String) -> WorkflowDefinition? {
        let root: Node
        switch Self.compose(text, file: file) {
        case .failure(let problem):
            problems.append(problem)
            return nil
        case .success(nil):
            problem(.start, "empty workflow: expected 'transitions:'")
            return nil
        case .success(let node?):
            root = node
        }
        guard case .mapping(let mapping) = root else {
            problem(Self.mark(root), "a workflow is a mapping with 'transitions:'")
            return nil
        }
        var title: String?, description: String?, widgetFile: (String, Mark)?
        var transitions: [TransitionDefinition] = []
        var widgets: [WidgetDefinition] = []
        var sawTransitions = false
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            switch key {
            case "title": title = scalar(value, "title")
            case "description": description = scalar(value, "description")
            case "widget":
                if let name = scalar(value, "widget") { widgetFile = (name, Self.mark(value)) }
            case "ui":
                var widgetParser = WidgetParser(file: file)
                widgets += widgetParser.parse(value)
                problems += widgetParser.problems
            case "transitions":
                sawTransitions = true
                guard case .sequence(let items) = value else {
                    problem(Self.mark(value), "'transitions' must be a list")
                    continue
                }
                for item in items { if let t = transition(item) { transitions.append(t) } }
            default:
                problem(Self.mark(keyNode), "unknown field '\(key)' (known: \(Self.topLevelFields.joined(separator: ", ")))")
            }
        }
        if !sawTransitions { problem(Self.mark(root), "missing 'transitions:'") }
        var definition = WorkflowDefinition(
            file: file, name: Self.workflowName(file), title: title, description: description,
            widgetFile: widgetFile, widgets: widgets, transitions: transitions)
        if let (name, mark) = widgetFile {
            do {
                let bytes = try WorkflowFile.read(name, in: definition.directory)
                let path = "\(definition.directory)/\(name)"
                switch Self.compose(String(decoding: bytes, as: UTF8.self), file: path) {
                case .failure(let problem): problems.append(problem)
                case .success(let node):
                    var widgetParser = WidgetParser(file: path)
                    if let node { definition.widgets += widgetParser.parse(node) }
                    problems += widgetParser.problems
                }
            } catch {
                problem(mark, "widget file \(error)")
            }
        }
        return definition
    }

    static func workflowName(_ file: String) -> String {
        var name = String(file.split(separator: "/").last ?? Substring(file))
        for suffix in [".workflow.yaml", ".workflow.yml", ".yaml", ".yml"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
            break
        }
        return name
    }

    private mutating func scalar(_ node: Node, _ field: String) -> String? {
        guard case .scalar(let scalar) = node else {
            problem(Self.mark(node), "'\(field)' must be a single value")
            return nil
        }
        return scalar.string
    }

    private mutating func transition(_ node: Node) -> TransitionDefinition? {
        let mark = Self.mark(node)
        guard case .mapping(let mapping) = node else {
            problem(mark, "a transition is a mapping with 'id', 'from' and 'to'")
            return nil
        }
        var id: (String, Mark)?, to: (String, Mark)?, from: [(String, Mark)] = []
        var trigger = Trigger.automatic, guardText: (TextValue, Mark)?
        var calls: [ToolCallDefinition] = [], assign: [(String, ArgValue)] = []
        var onError: (String, Mark)?, retryAttempts = 0, retryDelay = 0.0
        var sawFrom = false
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let valueMark = Self.mark(value)
            switch key {
            case "id": if let s = scalar(value, "id") { id = (s, valueMark) }
            case "description": _ = scalar(value, "description")
            case "to": if let s = scalar(value, "to") { to = (s, valueMark) }
            case "from":
                sawFrom = true
                switch value {
                case .scalar(let s): from = [(s.string, valueMark)]
                case .sequence(let items):
                    for item in items { if let s = scalar(item, "from") { from.append((s, Self.mark(item))) } }
                    if items.isEmpty { problem(valueMark, "'from' lists no place") }
                default: problem(valueMark, "'from' must be a place or a list of places")
                }
            case "wait":
                switch scalar(value, "wait") {
                case "true": trigger = .manual
                case "false", nil: break
                default: problem(valueMark, "'wait' must be true or false")
                }
            case "trigger":
                switch scalar(value, "trigger") {
                case "manual": trigger = .manual
                case "onEntry", "automatic", "auto", nil: break
                case let other?: problem(valueMark, "unknown trigger '\(other)' (use manual or onEntry)")
                }
            case "if":
                if let text = scalar(value, "if") {
                    do { guardText = (try TextValue.classify(text), valueMark) } catch {
                        problem(valueMark, "invalid expression in 'if': \(error.message) (at character \(error.offset + 1))")
                    }
                }
            case "call":
                guard case .sequence(let items) = value else {
                    problem(valueMark, "'call' must be a list of tool calls")
                    continue
                }
                for item in items { if let c = call(item) { calls.append(c) } }
            case "assign": assign = assignments(value)
            case "onError": if let s = scalar(value, "onError") { onError = (s, valueMark) }
            case "retryAttempts":
                if let s = scalar(value, "retryAttempts") {
                    if let n = Int(s), n >= 0, n <= 100 { retryAttempts = n } else { problem(valueMark, "'retryAttempts' must be a whole number from 0 to 100") }
                }
            case "retryDelay":
                if let s = scalar(value, "retryDelay") {
                    if let ms = Double(s), ms >= 0, ms <= 600_000 { retryDelay = ms / 1000 } else { problem(valueMark, "'retryDelay' must be milliseconds from 0 to 600000") }
                }
            default:
                problem(Self.mark(keyNode), "unknown field '\(key)' in a transition (known: \(Self.transitionFields.joined(separator: ", ")))")
            }
        }
        guard let id else { problem(mark, "transition without 'id'"); return nil }
        if !sawFrom { problem(mark, "transition '\(id.0)' has no 'from'") }
        guard let to else { problem(mark, "transition '\(id.0)' has no 'to'"); return nil }
        return TransitionDefinition(id: id.0, idMark: id.1, from: from, to: to.0, toMark: to.1, trigger: trigger,
                                    guardText: guardText, calls: calls, assign: assign, onError: onError,
                                    retryAttempts: retryAttempts, retryDelay: retryDelay, mark: mark)
    }

    private mutating func call(_ node: Node) -> ToolCallDefinition? {
        let mark = Self.mark(node)
        guard case .mapping(let mapping) = node else {
            problem(mark, "a call is a mapping with 'tool' and 'args'")
            return nil
        }
        var id: String?, tool: (String, Mark)?, args = ArgValue.constant(.dictionary([]), mark), assign: [(String, ArgValue)] = []
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            switch key {
            case "id": id = scalar(value, "id")
            case "tool": if let s = scalar(value, "tool") { tool = (s, Self.mark(value)) }
            case "args": args = argValue(value)
            case "assign": assign = assignments(value)
            default:
                problem(Self.mark(keyNode), "unknown field '\(key)' in a call (known: \(Self.callFields.joined(separator: ", ")))")
            }
        }
        guard let tool else { problem(mark, "call without 'tool'"); return nil }
        return ToolCallDefinition(id: id, tool: ToolNames.canonical(tool.0), toolAsWritten: tool.0, toolMark: tool.1,
                                  args: args, assign: assign, mark: mark)
    }

    private mutating func assignments(_ node: Node) -> [(String, ArgValue)] {
        guard case .mapping(let mapping) = node else {
            problem(Self.mark(node), "'assign' must map state names to values")
            return []
        }
        return mapping.compactMap { keyNode, value in
            guard let name = keyNode.string, !name.isEmpty else {
                problem(Self.mark(keyNode), "an assigned name must be text")
                return nil
            }
            return (name, argValue(value))
        }
    }

    mutating func argValue(_ node: Node) -> ArgValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                let value = TemplateValue(yaml: node)
                if case .string = value {} else { return .constant(value, Self.mark(node)) }
            }
            do {
                let text = try TextValue.classify(scalar.string)
                if case .plain(let s) = text { return .constant(.string(s), Self.mark(node)) }
                return .text(text, Self.mark(node))
            } catch {
                problem(Self.mark(node), "invalid expression: \(error.message) (at character \(error.offset + 1))")
                return .constant(.string(scalar.string), Self.mark(node))
            }
        case .sequence(let items): return .list(items.map { argValue($0) }, Self.mark(node))
        case .mapping(let mapping): return .object(mapping.map { ($0.key.string ?? "", argValue($0.value)) }, Self.mark(node))
        case .alias: return .constant(.null, Self.mark(node))
        }
    }
}

/// Tool names as written (`requestSecrets`, `request-secrets`) to the canonical `request_secrets`.
enum ToolNames {
    static func canonical(_ name: String) -> String {
        var out = ""
        for char in name {
            if char.isUppercase {
                if !out.isEmpty && out.last != "_" { out += "_" }
                out += char.lowercased()
            } else if char == "-" {
                out += "_"
            } else {
                out.append(char)
            }
        }
        return out
    }
}
