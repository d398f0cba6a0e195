import LoopsealStore
import LoopsealTemplates
import LoopsealWorkflows
import MCP
import LoopsealValue

/// `start_run`: starts a listed workflow and returns
/// `{id, workflow, status, place, waitingFor, requestedKeys, missingKeys, link, error?}`.
struct StartRunHandler: MCPToolHandler {
    let definition = ToolDefinitions.startRun

    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome {
        let name = try arguments.requiredString("workflow", hint: "a workflow name from list_workflows")
        let input = try arguments.object("input").map { TemplateValue(.object($0)) } ?? .dictionary([])
        let workspace = try context.workspace(arguments)
        let runs = context.runs(workspace)
        let (definition, file) = try Self.listedWorkflow(name, runs: runs, tool: arguments.tool)
        let run = try runs.start(definition, file: file, args: input)
        let summary = try Self.summary(of: run, engine: runs.engine(definition), runs: runs, context: context)
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

    /// What a caller needs to know about `run`: names and flags only, never state or values.
    static func summary(of run: WorkflowRun, engine: WorkflowEngine, runs: RunService, context: ToolContext) throws -> Value {
        var result: [String: Value] = [
            "id": .string(run.id),
            "workflow": .string(run.workflow),
            "workspace": .string(run.workspace),
            "status": .string(run.status.rawValue),
            "place": .string(run.place),
            "waitingFor": .array(engine.manualTransitions(of: run).map { .string($0.id) }),
            "requestedKeys": .array(run.requestedKeys.map(Value.string)),
            "missingKeys": .array(try runs.missingKeys(of: run).map(Value.string)),
            "link": .string(context.configuration.runLink(workspace: run.workspace, runID: run.id)),
        ]
        if let error = run.error { result["error"] = .string(error) }
        return .object(result)
    }
}
