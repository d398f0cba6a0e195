import Foundation
import LoopsealStore
import LoopsealTemplates
import LoopsealValue

/// `create_document`: adds a document to the run. Arguments: `document` (markdown,
/// secret_request, message, error — or Loopstack's names), and `content: {…}`, Loopstack's
/// `update: {content: {…}}`, or `template: path` (a Handlebars file inside the workflow's folder,
/// rendered in strict mode with the state's fields and `state`, `args`, `result`, `runtime`).
public struct CreateDocumentTool: WorkflowTool {
    public let name = "create_document"
    public init() {}

    public func validate(_ args: ArgValue, workflow: WorkflowDefinition) -> [ToolArgumentIssue] {
        var issues: [ToolArgumentIssue] = []
        switch args.field("document") {
        case .constant(.string(let name), let mark)?:
            if DocumentType(name: name) == nil {
                issues.append(ToolArgumentIssue(mark: mark, message: "unknown document type '\(name)' (known: \(DocumentType.allCases.map(\.rawValue).joined(separator: ", ")), or Loopstack's markdownDocument, secretRequestDocument, messageDocument, errorDocument)"))
            }
        case nil:
            issues.append(ToolArgumentIssue(mark: args.mark, message: "create_document needs 'document: TYPE'"))
        default: break
        }
        if case .constant(.string(let path), let mark)? = args.field("template") {
            do {
                let bytes = try WorkflowFile.read(path, in: workflow.directory)
                do {
                    _ = try TemplateEngine(partials: .directory(workflow.directory), strict: true)
                        .compile(String(decoding: bytes, as: UTF8.self), name: "\(workflow.directory)/\(path)")
                } catch {
                    issues.append(ToolArgumentIssue(mark: mark, message: "template '\(path)' does not compile: \(error)"))
                }
            } catch {
                issues.append(ToolArgumentIssue(mark: mark, message: "template file \(error)"))
            }
        }
        return issues
    }

    public func run(_ args: TemplateValue, context: ToolContext) throws -> TemplateValue {
        guard case .string(let typeName)? = args.property("document"), let type = DocumentType(name: typeName) else {
            throw ToolError("create_document needs a known 'document' type")
        }
        var content: TemplateValue = args.property("content") ?? args.property("update")?.property("content") ?? .dictionary([])
        if let template = args.property("template"), !template.isNull {
            guard case .string(let path) = template else { throw ToolError("create_document's 'template' must be a file name") }
            let full = "\(context.workflow.directory)/\(path)"
            let bytes: [UInt8]
            do { bytes = try WorkflowFile.read(path, in: context.workflow.directory) } catch {
                throw ToolError("template file \(error)")
            }
            let source = String(decoding: bytes, as: UTF8.self)
            let engine = TemplateEngine(partials: .directory(context.workflow.directory), strict: true, helpers: WorkflowHelpers.all)
            let markdown = try engine.render(source, name: full, context: Self.templateContext(context.evaluation))
            content = .dictionary([("markdown", .string(markdown))])
        }
        let id = "\(context.transitionID)-\(context.documents.count + 1)-\(type.rawValue)"
        context.add(WorkflowDocument(id: id, type: type, transition: context.transitionID, content: content))
        return .dictionary([("document", .dictionary([("id", .string(id)), ("type", .string(type.rawValue))]))])
    }

    /// The state's own fields at the top (so `{{#each secretKeys}}` works, as in the seed's
    /// template), plus `state`, `args`, `result` and `runtime`.
    static func templateContext(_ evaluation: TemplateValue) -> TemplateValue {
        var pairs: [(String, TemplateValue)] = []
        if case .object(let state)? = evaluation.property("state") {
            pairs = zip(state.keys, state.values).map { ($0, $1) }
        }
        if case .object(let namespaces) = evaluation {
            pairs += zip(namespaces.keys, namespaces.values).map { ($0, $1) }
        }
        return .dictionary(pairs)
    }
}
