import LoopsealStore
import LoopsealTemplates
import LoopsealValue

/// A workflow as declared in YAML (DESIGN.md §6), in Loopseal's form or Loopstack's.
public struct WorkflowDefinition: Sendable {
    /// The file it was read from.
    public let file: String
    /// The file name without `.yaml`/`.yml`: how runs and the CLI name it.
    public let name: String
    /// `title:`.
    public let title: String?
    /// `description:`.
    public let description: String?
    /// `widget: file.ui.yaml` (relative to the workflow's folder) and where it was written.
    public let widgetFile: (String, Mark)?
    /// Widgets declared inline under `ui:` or loaded from `widgetFile`.
    public var widgets: [WidgetDefinition]
    /// Transitions in file order.
    public let transitions: [TransitionDefinition]

    /// The folder holding the workflow (templates resolve from here).
    public var directory: String {
        let parts = file.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count > 1 ? parts.dropLast().joined(separator: "/") : "."
    }
}

/// When a transition fires.
public enum Trigger: String, Sendable {
    /// As soon as its `from` place is reached and its guard holds.
    case automatic
    /// Only when a person fires it (`wait: true` or `trigger: manual`).
    case manual
}

/// One transition: `from` places, `to` place, guard, tool calls and assignments.
public struct TransitionDefinition: Sendable {
    public let id: String
    public let idMark: Mark
    public let from: [(String, Mark)]
    public let to: String
    public let toMark: Mark
    public let trigger: Trigger
    /// `if:` and where it is.
    public let guardText: (TextValue, Mark)?
    public let calls: [ToolCallDefinition]
    /// Transition-level `assign:` (after all calls).
    public let assign: [(String, ArgValue)]
    /// `onError:` place.
    public let onError: (String, Mark)?
    public let retryAttempts: Int
    /// Seconds between retries.
    public let retryDelay: Double
    public let mark: Mark
}

/// One `call:` entry.
public struct ToolCallDefinition: Sendable {
    /// `id:`, for `runtime.tools.<transition>.<id>`.
    public let id: String?
    /// The canonical tool name (`request_secrets`), whatever spelling the file used.
    public let tool: String
    /// The name as written.
    public let toolAsWritten: String
    public let toolMark: Mark
    public let args: ArgValue
    /// `assign:` on the call: state names set from `result`.
    public let assign: [(String, ArgValue)]
    public let mark: Mark
}

/// A widget from `*.ui.yaml` or `ui:` (DESIGN.md §6).
public struct WidgetDefinition: Sendable {
    /// `form`, `button`, `secret-input`, `markdown`, `prompt-input`, …
    public let widget: String
    /// Places where it is enabled / shown (empty: everywhere).
    public let enabledWhen: [String]
    public let showWhen: [String]
    /// `options.transition`: the manual transition it fires.
    public let transition: (String, Mark)?
    /// `options.label`.
    public let label: String?
    /// `options` as data (properties, actions, …) for pages to use.
    public let options: TemplateValue
    public let file: String
    public let mark: Mark
}
