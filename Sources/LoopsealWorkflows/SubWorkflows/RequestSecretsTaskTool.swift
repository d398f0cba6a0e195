import LoopsealStore
import LoopsealTemplates
import LoopsealValue

/// `request_secrets_task`: the agent-friendly `request_secrets`. Starts the `request-secrets`
/// workflow (built in, or the repository's own) as a child run for `variables: [{key,
/// description?}]`, shows its form in the parent's page (`show: inline`, or `link`), and
/// completes when a person has stored the values: `result.data` is then the seed's text,
/// "Secrets have been stored securely by the user.", never a value.
public struct RequestSecretsTaskTool: SubWorkflowTool {
    public let name = "request_secrets_task"
    /// The workflow it starts.
    public static let workflow = "request-secrets"
    /// `result.data` once the person stored the values (the seed's exact text).
    public static let completionMessage = "Secrets have been stored securely by the user."
    public init() {}

    public func validate(_ args: ArgValue, workflow: WorkflowDefinition) -> [ToolArgumentIssue] {
        SubWorkflowArguments.checkShow(args) + RequestSecretsTool().validate(args, workflow: workflow).map { issue in
            ToolArgumentIssue(mark: issue.mark, message: issue.message.replacingOccurrences(of: "request_secrets needs", with: "request_secrets_task needs"))
        }
    }

    public func childWorkflow(_ args: ArgValue) -> (String, Mark)? { (Self.workflow, args.mark) }

    public func child(_ args: TemplateValue) throws -> ChildRequest {
        guard case .array(let items)? = args.property("variables"), !items.items.isEmpty else {
            throw ToolError("request_secrets_task needs 'variables: [{key: NAME}]'")
        }
        var seen: Set<String> = []
        let variables = try items.items.map { item -> TemplateValue in
            guard case .string(let key)? = item.property("key") else { throw ToolError("each variable needs 'key: NAME'") }
            try Names.checkKey(key)
            guard seen.insert(key).inserted else { throw ToolError("request_secrets_task: \(key) is listed twice") }
            var pairs: [(String, TemplateValue)] = [("key", .string(key))]
            if let description = item.property("description"), !description.isNull {
                pairs.append(("description", .string(description.javaScriptString)))
            }
            return .dictionary(pairs)
        }
        return ChildRequest(workflow: Self.workflow, args: .dictionary([("variables", .list(variables))]),
                            show: try SubWorkflowArguments.show(args))
    }

    public func completion(of child: WorkflowRun) -> TemplateValue {
        .string(Self.completionMessage)
    }
}
