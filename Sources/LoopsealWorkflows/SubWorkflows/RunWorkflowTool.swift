import LoopsealStore
import LoopsealTemplates
import LoopsealValue

/// `run_workflow`: starts workflow `workflow` (a name under `workflows/` or a built-in one) as a
/// child run with `args`, and waits for it; `result.data` is then
/// `{workflowId, workflow, status, state}` of the finished child. `show: inline` (default) or
/// `link` says how the parent's page shows the child.
public struct RunWorkflowTool: SubWorkflowTool {
    public let name = "run_workflow"
    public init() {}

    public func validate(_ args: ArgValue, workflow: WorkflowDefinition) -> [ToolArgumentIssue] {
        var issues = SubWorkflowArguments.checkShow(args)
        switch args.field("workflow") {
        case nil:
            issues.append(ToolArgumentIssue(mark: args.mark, message: "run_workflow needs 'workflow: NAME' (a workflow under workflows/)"))
        case .constant(let value, let mark)?:
            if case .string = value {} else {
                issues.append(ToolArgumentIssue(mark: mark, message: "'workflow' must be a workflow name"))
            }
        default: break
        }
        if let input = args.field("args") {
            switch input {
            case .object, .text: break
            case .constant(.object, _): break
            default: issues.append(ToolArgumentIssue(mark: input.mark, message: "'args' must be an object: the child run's input"))
            }
        }
        return issues
    }

    public func childWorkflow(_ args: ArgValue) -> (String, Mark)? {
        guard case .constant(.string(let name), let mark)? = args.field("workflow") else { return nil }
        return (name, mark)
    }

    public func child(_ args: TemplateValue) throws -> ChildRequest {
        guard case .string(let workflow)? = args.property("workflow"), !workflow.isEmpty else {
            throw ToolError("run_workflow needs 'workflow: NAME'")
        }
        let input = args.property("args") ?? .dictionary([])
        guard case .object = input else { throw ToolError("run_workflow's 'args' must be an object") }
        return ChildRequest(workflow: workflow, args: input, show: try SubWorkflowArguments.show(args))
    }

    public func completion(of child: WorkflowRun) -> TemplateValue {
        .dictionary([("workflowId", .string(child.id)), ("workflow", .string(child.workflow)),
                     ("status", .string(child.status.rawValue)), ("state", child.state)])
    }
}

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

/// Arguments every sub-workflow tool takes.
enum SubWorkflowArguments {
    static func checkShow(_ args: ArgValue) -> [ToolArgumentIssue] {
        guard case .constant(let value, let mark)? = args.field("show") else { return [] }
        if case .string(let text) = value, ChildDisplay(rawValue: text) != nil { return [] }
        return [ToolArgumentIssue(mark: mark, message: "'show' is inline (the child's form in this run's page) or link")]
    }

    static func show(_ args: TemplateValue) throws -> ChildDisplay {
        guard let value = args.property("show"), !value.isNull else { return .inline }
        guard case .string(let text) = value, let show = ChildDisplay(rawValue: text) else {
            throw ToolError("'show' is inline or link")
        }
        return show
    }
}
