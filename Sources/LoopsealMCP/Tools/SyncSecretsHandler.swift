import LoopsealStore
import LoopsealSync
import MCP

/// `sync_secrets`: syncs (or with `dryRun` plans) every target of the workspace and returns
/// `{workspace, dryRun, targets: [{name, type, status, written, needsWrite, drifted, added,
/// changed, removed, keyCount}], failures}`: key names only. Failing targets make a tool error
/// that still carries the report.
struct SyncSecretsHandler: MCPToolHandler {
    let definition = ToolDefinitions.syncSecrets

    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome {
        let dryRun = try arguments.bool("dryRun", default: false)
        let workspace = try context.workspace(arguments)
        let syncer = TargetSyncer(workspace: workspace, identities: try context.identities(for: arguments.tool))
        let report = try syncer.report(dryRun: dryRun)
        let result: Value = [
            "workspace": .string(workspace.id),
            "dryRun": .bool(dryRun),
            "targets": .array(report.plans.map { Self.describe($0, dryRun: dryRun) }),
            "failures": .array(report.failures.map(Value.string)),
        ]
        guard report.failures.isEmpty else {
            let count = report.failures.count
            return ToolOutcome(result, failure: "sync_secrets: \(count) target\(count == 1 ? "" : "s") failed: \(report.failures.joined(separator: "; "))")
        }
        return ToolOutcome(result)
    }

    /// One target's outcome, the way `loopseal sync` words it.
    static func describe(_ plan: SyncPlan, dryRun: Bool) -> Value {
        let status: String
        if plan.refusal != nil { status = dryRun ? "would be refused" : "refused" }
        else if !plan.needsWrite { status = "unchanged" } else if dryRun { status = "would write" } else if plan.written { status = "written" } else { status = "not written" }
        return [
            "name": .string(plan.target.name),
            "type": .string(plan.target.kind.rawValue),
            "status": .string(status),
            "written": .bool(plan.written),
            "needsWrite": .bool(plan.needsWrite),
            "drifted": .bool(plan.drifted),
            "added": .array(plan.added.map(Value.string)),
            "changed": .array(plan.changed.map(Value.string)),
            "removed": .array(plan.removed.map(Value.string)),
            "keyCount": .int(plan.keys.count),
        ]
    }
}
