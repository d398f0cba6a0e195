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
