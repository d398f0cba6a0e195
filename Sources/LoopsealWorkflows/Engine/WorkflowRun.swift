import Foundation
import LoopsealTemplates
import LoopsealValue

/// Where a run stands.
public enum RunStatus: String, Sendable {
    /// Firing automatic transitions.
    case running
    /// Stopped where only manual transitions leave: a person must act.
    case waiting
    /// In a transition that started a child run: resumes by itself when the child finishes.
    case pending
    /// Reached `end`.
    case completed
    /// A transition failed with no `onError` place; `error` says why.
    case failed
}

/// One fired transition (or failed attempt) in a run's history.
public struct HistoryEntry: Sendable {
    public var transition: String
    public var from: String
    public var to: String
    public var manual: Bool
    public var at: String
    /// The failure, when the transition did not complete.
    public var error: String?
    /// The payload a person fired it with (`runtime.transition.payload`).
    public var payload: TemplateValue?
}

/// A run of a workflow: everything `run show` prints, persisted as JSON between steps.
/// Holds key names and flags only; tools never put secret values here.
public struct WorkflowRun: Sendable {
    public var id: String
    /// The workflow's name.
    public var workflow: String
    /// The workflow file, as found when the run started (relative to the repository root when under it).
    public var workflowFile: String
    public var workspace: String
    public var status: RunStatus
    public var place: String
    /// `state`: what transitions assigned.
    public var state: TemplateValue
    /// `args`: the run's input.
    public var args: TemplateValue
    /// `runtime.tools.<transition>.<call>`: tool results by call id.
    public var toolResults: TemplateValue
    public var documents: [WorkflowDocument]
    /// Keys the run asked a person for (`request_secrets`), in order.
    public var requestedKeys: [String]
    public var history: [HistoryEntry]
    public var error: String?
    /// The run that started this one, when it is a child run.
    public var parent: ParentLink?
    /// The child runs this run started, oldest first.
    public var children: [ChildLink]
    /// The transition waiting on a child, while the run is `pending`.
    public var pendingTransition: PendingTransition?
    public var createdAt: String
    public var updatedAt: String

    /// The current UTC time as ISO 8601 with milliseconds (`2026-11-25T04:21:49.344Z`), built by
    /// hand: a Foundation date formatter costs more than a whole transition.
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = time_t(spec.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(spec.tv_nsec / 1_000_000), 3))Z"
    }

    /// The run as JSON data (`--json` output and the run file).
    public var asValue: TemplateValue {
        .dictionary([
            ("id", .string(id)), ("workflow", .string(workflow)), ("workflowFile", .string(workflowFile)),
            ("workspace", .string(workspace)), ("status", .string(status.rawValue)), ("place", .string(place)),
            ("state", state), ("args", args), ("toolResults", toolResults),
            ("documents", .list(documents.map(\.asValue))),
            ("requestedKeys", .list(requestedKeys.map(TemplateValue.string))),
            ("history", .list(history.map { entry in
                var pairs: [(String, TemplateValue)] = [
                    ("transition", .string(entry.transition)), ("from", .string(entry.from)), ("to", .string(entry.to)),
                    ("manual", .bool(entry.manual)), ("at", .string(entry.at)),
                ]
                if let error = entry.error { pairs.append(("error", .string(error))) }
                if let payload = entry.payload { pairs.append(("payload", payload)) }
                return .dictionary(pairs)
            })),
            ("error", error.map(TemplateValue.string) ?? .null),
            ("parent", parent?.asValue ?? .null),
            ("children", .list(children.map(\.asValue))),
            ("pendingTransition", pendingTransition?.asValue ?? .null),
            ("createdAt", .string(createdAt)), ("updatedAt", .string(updatedAt)),
        ])
    }

    /// True once the run can move no more: completed or failed.
    public var isFinished: Bool { status == .completed || status == .failed }

    /// Reads a run back from its JSON data.
    public init(value: TemplateValue, file: String) throws {
        func string(_ key: String) throws -> String {
            guard case .string(let s)? = value.property(key) else {
                throw ToolError("\(file): run file has no '\(key)': it is damaged; remove it or restore it from a backup")
            }
            return s
        }
        id = try string("id")
        workflow = try string("workflow")
        workflowFile = try string("workflowFile")
        workspace = try string("workspace")
        guard let status = RunStatus(rawValue: try string("status")) else { throw ToolError("\(file): unknown run status") }
        self.status = status
        place = try string("place")
        state = value.property("state") ?? .dictionary([])
        args = value.property("args") ?? .dictionary([])
        toolResults = value.property("toolResults") ?? .dictionary([])
        if case .array(let items)? = value.property("documents") {
            documents = items.items.compactMap(WorkflowDocument.init(value:))
        } else {
            documents = []
        }
        requestedKeys = []
        if case .array(let keys)? = value.property("requestedKeys") {
            requestedKeys = keys.items.compactMap { if case .string(let s) = $0 { return s }; return nil }
        }
        history = []
        if case .array(let items)? = value.property("history") {
            for item in items.items {
                guard case .string(let transition)? = item.property("transition"), case .string(let from)? = item.property("from"),
                      case .string(let to)? = item.property("to") else { continue }
                var error: String?
                if case .string(let e)? = item.property("error") { error = e }
                history.append(HistoryEntry(transition: transition, from: from, to: to, manual: item.property("manual")?.isTruthy ?? false,
                                            at: item.property("at")?.javaScriptString ?? "", error: error, payload: item.property("payload")))
            }
        }
        if case .string(let e)? = value.property("error") { error = e } else { error = nil }
        parent = ParentLink(value: value.property("parent"))
        children = []
        if case .array(let items)? = value.property("children") { children = items.items.compactMap(ChildLink.init(value:)) }
        pendingTransition = PendingTransition(value: value.property("pendingTransition"))
        if status == .pending && pendingTransition == nil {
            throw ToolError("\(file): run is pending but names no child run: it is damaged; remove it or restore it from a backup")
        }
        createdAt = (try? string("createdAt")) ?? ""
        updatedAt = (try? string("updatedAt")) ?? ""
    }

    init(id: String, workflow: WorkflowDefinition, workflowFile: String, workspace: String, args: TemplateValue, parent: ParentLink? = nil) {
        self.id = id
        self.workflow = workflow.name
        self.workflowFile = workflowFile
        self.workspace = workspace
        status = .running
        place = TransitionGraph.start
        state = .dictionary([])
        self.args = args
        toolResults = .dictionary([])
        documents = []
        requestedKeys = []
        history = []
        error = nil
        self.parent = parent
        children = []
        pendingTransition = nil
        createdAt = Self.now()
        updatedAt = createdAt
    }
}
