import LoopsealKit
import LoopsealStore
import MCP

/// `remind_owners`: starts one `rotate-secrets` run per owner for what `list_due_secrets` lists
/// and returns `{workspace, runs: [{owner, keys, runId, link}]}`. Each owner opens their link
/// and types the new values; they never pass through the model.
struct RemindOwnersHandler: MCPToolHandler {
    let definition = Tool(
        name: "remind_owners",
        title: "Ask owners to rotate their secrets",
        description: """
            Starts one rotation run per owner for the secrets list_due_secrets lists (due within `within`, default 14d, \
            or exposed to a removed recipient) and returns each run's id and the link of its page: give each owner their link. \
            Owners type the new values there; this tool returns key names only, never a value.
            """,
        inputSchema: ToolDefinitions.schema(properties: [
            "workspace": ToolDefinitions.workspaceProperty,
            "within": ["type": "string", "pattern": "^[0-9]+[dwmy]$", "description": "The window: 14d, 12w, 6m, 1y (default 14d)."],
        ]),
        annotations: .init(destructiveHint: false, idempotentHint: false, openWorldHint: false),
        outputSchema: ToolDefinitions.schema(
            properties: [
                "workspace": ["type": "string"],
                "runs": ["type": "array", "items": ToolDefinitions.schema(
                    properties: [
                        "owner": ["type": ["string", "null"]],
                        "keys": ["type": "array", "items": ["type": "string"], "description": "Secret key names (never values)."],
                        "runId": ["type": "string"],
                        "link": ["type": "string", "description": "The run's page on `loopseal serve`."],
                    ],
                    required: ["owner", "keys", "runId", "link"])],
            ],
            required: ["workspace", "runs"]))

    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome {
        let workspace = try context.workspace(arguments)
        let reminders = try SecretReminders.start(runs: context.runs(workspace), identities: context.identitiesIfAny(),
                                                  within: try ListDueSecretsHandler.window(arguments))
        return ToolOutcome([
            "workspace": .string(workspace.id),
            "runs": .array(reminders.map { reminder in
                ["owner": reminder.owner.map(Value.string) ?? .null,
                 "keys": .array(reminder.keys.map(Value.string)),
                 "runId": .string(reminder.run.id),
                 "link": .string(context.configuration.runLink(workspace: workspace.id, runID: reminder.run.id))]
            }),
        ])
    }
}
