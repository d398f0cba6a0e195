import LoopsealKit
import LoopsealStore
import MCP

/// `list_due_secrets`: `{workspace, within, owners: [{owner, secrets: [{key, why}]}]}`: the
/// secrets due or overdue within `within` (default 14d) and those still exposed to a removed
/// recipient, by owner (`owner` null for secrets without one): what `remind_owners` would ask
/// for. Names, dates and recipient names only, never a value.
struct ListDueSecretsHandler: MCPToolHandler {
    let definition = Tool(
        name: "list_due_secrets",
        title: "Secrets due for rotation",
        description: """
            Lists, by owner, the secrets whose rotation is due or overdue within `within` (default 14d) and those \
            a removed recipient could read whose value has not changed since. Returns key names and reasons, never values. \
            remind_owners asks each owner for new values through a form.
            """,
        inputSchema: ToolDefinitions.schema(properties: [
            "workspace": ToolDefinitions.workspaceProperty,
            "within": ["type": "string", "pattern": "^[0-9]+[dwmy]$", "description": "The window: 14d, 12w, 6m, 1y (default 14d)."],
        ]),
        annotations: .init(readOnlyHint: true, openWorldHint: false),
        outputSchema: ToolDefinitions.schema(
            properties: [
                "workspace": ["type": "string"],
                "within": ["type": "string"],
                "owners": ["type": "array", "items": ToolDefinitions.schema(
                    properties: [
                        "owner": ["type": ["string", "null"], "description": "Who rotates them: a recipient or writer name, or an email; null for none."],
                        "secrets": ["type": "array", "items": ToolDefinitions.schema(
                            properties: [
                                "key": ["type": "string"],
                                "why": ["type": "string", "description": "Due or overdue since a date, or exposed to a removed recipient."],
                            ],
                            required: ["key", "why"])],
                    ],
                    required: ["owner", "secrets"])],
            ],
            required: ["workspace", "within", "owners"]))

    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome {
        let workspace = try context.workspace(arguments)
        let within = try Self.window(arguments)
        let plan = try SecretReminders.plan(service: SecretService(workspace: workspace),
                                            identities: context.identitiesIfAny(), within: within)
        return ToolOutcome([
            "workspace": .string(workspace.id),
            "within": .string(within.description),
            "owners": .array(plan.map { group in
                ["owner": group.owner.map(Value.string) ?? .null,
                 "secrets": .array(group.keys.map { ["key": .string($0.key), "why": .string($0.why)] })]
            }),
        ])
    }

    /// `within` as a period (default 14d), or a tool error naming the argument.
    static func window(_ arguments: ToolArguments) throws -> RotationPeriod {
        guard let text = try arguments.string("within") else { return RotationDue.defaultWindow }
        guard let period = RotationPeriod(string: text) else {
            throw ToolCallError("\(arguments.tool): 'within' must be \(RotationPeriod.grammar)")
        }
        return period
    }
}
