import LoopsealWorkflows
import MCP

/// `get_run`: the ``RunSummary`` of run `runId`, with its links to the run that started it and
/// the runs it started. A parent whose child finished before a crash let it go on is resumed
/// first, as `loopseal run show` does.
struct GetRunHandler: MCPToolHandler {
    let definition = ToolDefinitions.getRun

    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome {
        let id = try arguments.requiredString("runId", hint: "a run id from start_run, request_secrets or request_secrets_task")
        let runs = context.runs(try context.workspace(arguments))
        let run = try context.run(id, field: "runId", runs: runs, arguments: arguments)
        let engine = try? runs.engine(runs.definition(of: run))
        return ToolOutcome(try RunSummary.of(run, engine: engine, runs: runs, context: context))
    }
}
