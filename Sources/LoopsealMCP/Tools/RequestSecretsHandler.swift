import LoopsealValue
import LoopsealWorkflows
import MCP

/// `request_secrets`: starts the `request-secrets` workflow for the given keys and returns
/// `{runId, status, link, requestedKeys, workspace}`. A person opens the link and types the
/// values; they never pass through the model.
struct RequestSecretsHandler: MCPToolHandler {
    let definition = ToolDefinitions.requestSecrets

    /// The workflow this tool starts: the built-in `request-secrets`, or the repository's own
    /// `workflows/request-secrets.yaml` when it has one.
    static let workflowName = RequestSecretsTaskTool.workflow

    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome {
        let variables = try Self.variables(arguments)
        let workspace = try context.workspace(arguments)
        let runs = context.runs(workspace)
        let loaded = try runs.loadListedWorkflow(Self.workflowName)
        let run = try runs.start(loaded.0, file: loaded.1, args: .dictionary([("variables", .list(variables))]))
        let result: Value = [
            "runId": .string(run.id),
            "workspace": .string(workspace.id),
            "status": .string(run.status.rawValue),
            "requestedKeys": .array(run.requestedKeys.map(Value.string)),
            "link": .string(context.configuration.runLink(workspace: workspace.id, runID: run.id)),
        ]
        guard run.status == .waiting else {
            return ToolOutcome(result, failure: "the secret request \(run.id) did not wait for a person (\(run.status.rawValue)): \(run.error ?? "check \(loaded.1)")")
        }
        return ToolOutcome(result)
    }

    /// `keys` as `[{key, description?}]`: names or objects, each a valid key, none repeated.
    static func variables(_ arguments: ToolArguments) throws -> [TemplateValue] {
        try SecretVariables.read(arguments, field: "keys", namesAllowed: true,
                                 missing: #"a list of key names like ["API_KEY"] or objects [{"key": "API_KEY", "description": "…"}]"#)
    }
}
