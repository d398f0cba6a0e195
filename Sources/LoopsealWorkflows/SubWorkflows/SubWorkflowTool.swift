import LoopsealTemplates
import LoopsealValue

/// The child run a sub-workflow tool asks for.
public struct ChildRequest: Sendable {
    /// The workflow to start, by name (`workflows/NAME.yaml`, or a built-in one).
    public var workflow: String
    /// The child's input (`args`).
    public var args: TemplateValue
    /// How the parent's page shows the child.
    public var show: ChildDisplay

    /// A request to start `workflow` with `args`, shown as `show`.
    public init(workflow: String, args: TemplateValue, show: ChildDisplay) {
        self.workflow = workflow
        self.args = args
        self.show = show
    }
}

/// A tool that starts a child run and makes its transition wait until the child finishes:
/// the parent is `pending` until then, and the child's end resumes it (the callback) with
/// ``completion(of:)`` as the call's `result.data`. Such a call must be the only one in its
/// transition, so nothing of the transition happens before the child finishes.
public protocol SubWorkflowTool: WorkflowTool {
    /// The child to start, from the call's evaluated arguments.
    func child(_ args: TemplateValue) throws -> ChildRequest
    /// The call's `result.data` once the child completed; never a secret value.
    func completion(of child: WorkflowRun) -> TemplateValue
    /// The workflow this call starts when the file names it plainly (for validation).
    func childWorkflow(_ args: ArgValue) -> (String, Mark)?
}

extension SubWorkflowTool {
    /// Never called: the engine starts the child instead.
    public func run(_ args: TemplateValue, context: ToolContext) throws -> TemplateValue {
        throw ToolError("\(name) starts a child run; the engine runs it")
    }
}

/// Starts and saves child runs for an engine; ``RunService`` is the one that does.
public protocol ChildRunLauncher: Sendable {
    /// Starts `request` as a child of `parent`, advances it as far as it goes and saves it.
    func startChild(_ request: ChildRequest, parent: ParentLink) throws -> WorkflowRun
}
