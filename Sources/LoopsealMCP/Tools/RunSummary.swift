import LoopsealWorkflows
import MCP

/// What a caller learns about a run (`start_run`, `get_run`): names, flags and links only,
/// never its state, documents or any value.
///
/// `{id, workflow, workspace, status, place, waitingFor, requestedKeys, missingKeys, link,
/// parent, children, pendingOn, error?}`: `parent` is the run that started this one
/// (`{id, transition, link}` or null), `children` the runs it started (`{id, workflow,
/// transition, show, link, status?}`), `pendingOn` the child a `pending` run waits for
/// (`{id, workflow, link}` or null).
enum RunSummary {
    /// The summary of `run`; `engine` (its workflow's) names the manual transitions it waits for.
    static func of(_ run: WorkflowRun, engine: WorkflowEngine?, runs: RunService, context: ToolContext) throws -> Value {
        let link = { (id: String) in Value.string(context.configuration.runLink(workspace: run.workspace, runID: id)) }
        var result: [String: Value] = [
            "id": .string(run.id),
            "workflow": .string(run.workflow),
            "workspace": .string(run.workspace),
            "status": .string(run.status.rawValue),
            "place": .string(run.place),
            "waitingFor": .array((engine?.manualTransitions(of: run) ?? []).map { .string($0.id) }),
            "requestedKeys": .array(run.requestedKeys.map(Value.string)),
            "missingKeys": .array(try runs.missingKeys(of: run).map(Value.string)),
            "link": link(run.id),
            "parent": run.parent.map { ["id": .string($0.run), "transition": .string($0.transition), "link": link($0.run)] } ?? .null,
            "children": .array(run.children.map { child in
                var entry: [String: Value] = [
                    "id": .string(child.run), "workflow": .string(child.workflow), "transition": .string(child.transition),
                    "show": .string(child.show.rawValue), "link": link(child.run),
                ]
                if let status = try? runs.load(runID: child.run).status { entry["status"] = .string(status.rawValue) }
                return .object(entry)
            }),
            "pendingOn": .null,
        ]
        if run.status == .pending, let pending = run.pendingTransition {
            let workflow = run.children.last { $0.run == pending.child }?.workflow
            var entry: [String: Value] = ["id": .string(pending.child), "link": link(pending.child)]
            if let workflow { entry["workflow"] = .string(workflow) }
            result["pendingOn"] = .object(entry)
        }
        if let error = run.error { result["error"] = .string(error) }
        return .object(result)
    }
}
