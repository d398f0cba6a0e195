import LoopsealValue
import LoopsealWorkflows
import MCP

/// `request_secrets_task`: the seed's agent-friendly `request_secrets`. With `variables` it
/// starts the `request-secrets` workflow (built in, or the repository's own) for those keys and
/// returns `{workflowId, status: "pending", link, requestedKeys, missingKeys, workspace}`; there
/// is no parent run, the conversation is the parent. Called again with `workflowId` it reports
/// `status: "completed"` and `result` (the seed's text, as a parent run's callback gets it) once
/// a person stored the values, `pending` until then, and a tool error naming the run when it
/// failed. No value ever passes through it.
struct RequestSecretsTaskHandler: MCPToolHandler {
    let definition = ToolDefinitions.requestSecretsTask

    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome {
        if let id = try arguments.string("workflowId") {
            guard arguments.value("variables") == nil else {
                throw ToolCallError("\(arguments.tool): give 'variables' to start a request, or 'workflowId' to ask about one, not both")
            }
            guard !id.isEmpty else { throw ToolCallError("\(arguments.tool): 'workflowId' is empty: give the workflowId an earlier call returned") }
            let runs = context.runs(try context.workspace(arguments))
            let run = try context.run(id, field: "workflowId", runs: runs, arguments: arguments)
            guard run.workflow == RequestSecretsTaskTool.workflow else {
                throw ToolCallError("\(arguments.tool): 'workflowId': run \(run.id) is a run of workflow '\(run.workflow)', not a secret request: ask get_run about it")
            }
            return try Self.outcome(of: run, runs: runs, context: context)
        }
        let variables = try SecretVariables.read(arguments, field: "variables", namesAllowed: false, missing: """
            a list like [{"key": "API_KEY", "description": "…"}] to start a request, or 'workflowId' to ask about an earlier one
            """)
        let runs = context.runs(try context.workspace(arguments))
        let (definition, file) = try runs.loadListedWorkflow(RequestSecretsTaskTool.workflow)
        let run = try runs.start(definition, file: file, args: .dictionary([("variables", .list(variables))]))
        return try Self.outcome(of: run, runs: runs, context: context)
    }

    /// Where request `run` stands: `completed` with the callback's `result` once the run reached
    /// `end`, `pending` while a person has yet to act, a tool error when it failed.
    static func outcome(of run: WorkflowRun, runs: RunService, context: ToolContext) throws -> ToolOutcome {
        var result: [String: Value] = [
            "workflowId": .string(run.id),
            "workspace": .string(run.workspace),
            "status": "pending",
            "requestedKeys": .array(run.requestedKeys.map(Value.string)),
            "missingKeys": .array(try runs.missingKeys(of: run).map(Value.string)),
            "link": .string(context.configuration.runLink(workspace: run.workspace, runID: run.id)),
        ]
        switch run.status {
        case .completed:
            result["status"] = "completed"
            result["result"] = Value(RequestSecretsTaskTool().completion(of: run))
        case .failed:
            result["status"] = "failed"
            let error = run.error ?? "unknown error"
            result["error"] = .string(error)
            return ToolOutcome(.object(result), failure: "request_secrets_task: the secret request \(run.id) (workflow \(run.workflowFile)) failed: \(error)")
        case .running, .waiting, .pending:
            break
        }
        return ToolOutcome(.object(result))
    }
}
