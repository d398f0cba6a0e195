import LoopsealTemplates
import LoopsealValue

/// The kinds of document a run can hold.
public enum DocumentType: String, Sendable, CaseIterable {
    case markdown
    case secretRequest = "secret_request"
    case message
    case error
    /// A link to a child run (`request_secrets_task`, `run_workflow`): `{workflowId, workflow, show}`.
    case workflowLink = "workflow_link"

    /// Accepts Loopseal's names and Loopstack's (`markdownDocument`, `secretRequestDocument`,
    /// `messageDocument`, `errorDocument`).
    public init?(name: String) {
        switch name {
        case "markdown", "markdownDocument", "markdown_document": self = .markdown
        case "secret_request", "secretRequest", "secretRequestDocument", "secret_request_document": self = .secretRequest
        case "message", "messageDocument", "message_document": self = .message
        case "error", "errorDocument", "error_document": self = .error
        case "workflow_link", "workflowLink", "linkDocument", "link_document": self = .workflowLink
        default: return nil
        }
    }
}

/// A document a run produced: what a person reads (reports, requests, messages, errors).
public struct WorkflowDocument: Sendable {
    /// Unique in the run.
    public var id: String
    public var type: DocumentType
    /// The transition that made it.
    public var transition: String
    /// Its content (`markdown`, `variables`, `content`, `message`, …).
    public var content: TemplateValue

    /// Creates a document.
    public init(id: String, type: DocumentType, transition: String, content: TemplateValue) {
        self.id = id
        self.type = type
        self.transition = transition
        self.content = content
    }

    /// The document as Markdown, for `run show` and the web page.
    public var markdown: String {
        func text(_ key: String) -> String? {
            guard let value = content.property(key), !value.isNull else { return nil }
            return value.javaScriptString
        }
        switch type {
        case .markdown:
            return text("markdown") ?? text("text") ?? text("content") ?? ""
        case .message:
            return text("content") ?? text("text") ?? text("message") ?? text("markdown") ?? ""
        case .error:
            return "**Error:** " + (text("message") ?? text("error") ?? text("content") ?? "unknown error")
        case .secretRequest:
            var out = "**Secrets requested**\n"
            if case .array(let variables)? = content.property("variables") {
                for variable in variables.items {
                    let key = variable.property("key")?.javaScriptString ?? "?"
                    let description = variable.property("description").map { " — \($0.javaScriptString)" } ?? ""
                    out += "\n- `\(key)`\(description)"
                }
            }
            return out + "\n"
        case .workflowLink:
            let child = text("workflowId") ?? "?"
            return "**Child run** `\(child)` of workflow `\(text("workflow") ?? "?")`: `loopseal run show \(child)`\n"
        }
    }

    var asValue: TemplateValue {
        .dictionary([("id", .string(id)), ("type", .string(type.rawValue)), ("transition", .string(transition)), ("content", content)])
    }

    init?(value: TemplateValue) {
        guard case .string(let id)? = value.property("id"), case .string(let type)? = value.property("type"),
              let kind = DocumentType(name: type), case .string(let transition)? = value.property("transition") else { return nil }
        self.init(id: id, type: kind, transition: transition, content: value.property("content") ?? .null)
    }
}
