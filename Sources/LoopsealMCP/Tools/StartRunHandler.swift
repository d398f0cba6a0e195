import LoopsealStore
import LoopsealTemplates
import LoopsealWorkflows
import MCP
import LoopsealValue

/// `start_run`: starts a listed workflow and returns its ``RunSummary``
/// (`{id, workflow, status, place, waitingFor, requestedKeys, missingKeys, link, …}`).
struct StartRunHandler: MCPToolHandler {
    let definition = ToolDefinitions.startRun

    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome {
        let name = try arguments.requiredString("workflow", hint: "a workflow name from list_workflows")
        let input = try arguments.object("input").map { TemplateValue(.object($0)) } ?? .dictionary([])
        let workspace = try context.workspace(arguments)
        let runs = context.runs(workspace)
        let (definition, file) = try Self.listedWorkflow(name, runs: runs, tool: arguments.tool)
        let run = try runs.start(definition, file: file, args: input)
        let summary = try RunSummary.of(run, engine: runs.engine(definition), runs: runs, context: context)
        return ToolOutcome(summary, failure: run.status == .failed ? "run \(run.id) of '\(name)' failed: \(run.error ?? "unknown error")" : nil)
    }

    /// A workflow from `list_workflows`; an unknown name is an error naming `workflow`.
    static func listedWorkflow(_ name: String, runs: RunService, tool: String) throws -> (WorkflowDefinition, String) {
        do {
            return try runs.loadListedWorkflow(name)
        } catch RunServiceError.workflowNotFound {
            let known = runs.workflows().map(\.name)
            let listing = known.isEmpty ? "there are none under \(runs.workspace.root)/workflows" : "known: \(known.joined(separator: ", "))"
            throw ToolCallError("\(tool): 'workflow': no workflow named '\(ToolArguments.printable(name))' (\(listing))")
        }
    }
}
