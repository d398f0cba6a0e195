import LoopsealWorkflows
import MCP

/// The tools `loopseal mcp` offers, as `tools/list` shows them, with JSON Schema input schemas
/// and output schemas for their `structuredContent` (clients such as the MCP Python SDK validate
/// every result against them). No tool returns a secret value; the descriptions say so, so
/// models do not ask for one.
enum ToolDefinitions {
    static let workspaceProperty: Value = [
        "type": "string",
        "description": "Workspace id (default: the one `loopseal mcp` was started with, or the only workspace).",
    ]

    static let getSecretKeys = Tool(
        name: "get_secret_keys",
        title: "Secret keys",
        description: "Lists the workspace's secret keys and whether each has a value. Never returns values.",
        inputSchema: schema(properties: ["workspace": workspaceProperty]),
        annotations: .init(readOnlyHint: true, openWorldHint: false),
        outputSchema: OutputSchemas.getSecretKeys)

    static let listWorkflows = Tool(
        name: "list_workflows",
        title: "Workflows",
        description: "Lists the workflows that start_run can start: name, file (<built-in>/NAME.yaml for one shipped inside Loopseal), title and description.",
        inputSchema: schema(properties: ["workspace": workspaceProperty]),
        annotations: .init(readOnlyHint: true, openWorldHint: false),
        outputSchema: OutputSchemas.listWorkflows)

    static let startRun = Tool(
        name: "start_run",
        title: "Start a workflow run",
        description: """
            Starts a run of a workflow from list_workflows and advances it until it completes or waits for a person. \
            Returns the run id, status, place, the manual transitions it waits for, the secret keys it requested \
            (names only) and the link to its page.
            """,
        inputSchema: schema(
            properties: [
                "workflow": ["type": "string", "description": "Workflow name, as list_workflows returns it."],
                "input": ["type": "object", "description": "The run's input (`args` in the workflow)."],
                "workspace": workspaceProperty,
            ],
            required: ["workflow"]),
        annotations: .init(destructiveHint: false, idempotentHint: false, openWorldHint: false),
        outputSchema: OutputSchemas.run)

    static let requestSecrets = Tool(
        name: "request_secrets",
        title: "Ask a person for secrets",
        description: """
            Asks a person to enter secret values: declares the keys (without values) and starts a secret-request run. \
            Returns the run id and the link of the page where a person types the values; give that link to the user. \
            Never ask the user to paste a secret into the chat, and never expect a value back: this tool returns key names only.
            """,
        inputSchema: schema(
            properties: [
                "keys": [
                    "type": "array",
                    "minItems": 1,
                    "description": "The keys to request: names like \"API_KEY\", or objects {key, description}.",
                    "items": [
                        "anyOf": [keyName, variable],
                    ],
                ],
                "workspace": workspaceProperty,
            ],
            required: ["keys"]),
        annotations: .init(destructiveHint: false, idempotentHint: false, openWorldHint: false),
        outputSchema: OutputSchemas.requestSecrets)

    static let requestSecretsTask = Tool(
        name: "request_secrets_task",
        title: "Ask a person for secrets and wait",
        description: """
            Agent-friendly task variant of request_secrets: asks a person to enter secret values, then tells you when \
            they are stored. With `variables` it starts the request-secrets workflow for those keys and returns \
            {workflowId, status: "pending", link}: give the link to the user, who types the values on that page. \
            Must be the only tool call in the response. When the user says they are done, call it again with only \
            `workflowId`: status "completed" comes with result "\(RequestSecretsTaskTool.completionMessage)"; \
            "pending" means nobody has submitted yet. Never ask the user to paste a secret into the chat: no value \
            ever comes back, only key names.
            """,
        inputSchema: schema(properties: [
            "variables": [
                "type": "array",
                "minItems": 1,
                "description": "The keys to request (required to start a request; leave it out with workflowId).",
                "items": variable,
            ],
            "workflowId": [
                "type": "string",
                "description": "The workflowId an earlier call returned: report whether that request is completed.",
            ],
            "workspace": workspaceProperty,
        ]),
        annotations: .init(destructiveHint: false, idempotentHint: false, openWorldHint: false),
        outputSchema: OutputSchemas.requestSecretsTask)

    static let getRun = Tool(
        name: "get_run",
        title: "A workflow run",
        description: """
            Reports a workflow run by id: its status (waiting: a person must act, open its link; pending: it waits on \
            a child run, pendingOn; completed; failed, see error), place, the manual transitions it waits for, the \
            secret keys it requested and those still missing (names only), its page, the run that started it (parent) \
            and the runs it started (children). Never returns the run's state or any value. A run whose child finished \
            is moved on first.
            """,
        inputSchema: schema(
            properties: [
                "runId": ["type": "string", "description": "A run id from start_run, request_secrets or request_secrets_task."],
                "workspace": workspaceProperty,
            ],
            required: ["runId"]),
        annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false),
        outputSchema: OutputSchemas.run)

    static let syncSecrets = Tool(
        name: "sync_secrets",
        title: "Sync secrets to targets",
        description: """
            Writes the workspace's secrets to its sync targets (workspace.yaml `targets:`). Returns, per target, \
            whether it was written and which key names were added, changed or removed; never values. \
            dryRun: true only reports what would change. Needs an identity (`loopseal mcp --identity FILE` or LOOPSEAL_IDENTITY).
            """,
        inputSchema: schema(properties: [
            "dryRun": ["type": "boolean", "description": "Report what would change; write nothing (default false)."],
            "workspace": workspaceProperty,
        ]),
        annotations: .init(destructiveHint: true, idempotentHint: true, openWorldHint: true),
        outputSchema: OutputSchemas.syncSecrets)

    /// One requested secret: `{key, description?}`.
    private static let variable: Value = [
        "type": "object",
        "properties": [
            "key": keyName,
            "description": ["type": "string", "description": "What the value is, shown to the person."],
        ],
        "required": ["key"],
        "additionalProperties": false,
    ]

    /// A secret key name: an environment variable name.
    private static let keyName: Value = [
        "type": "string",
        "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,199}$",
        "description": "An environment variable name, e.g. DATABASE_URL.",
    ]

    /// An object schema that accepts only `properties`.
    static func schema(properties: [String: Value], required: [String] = []) -> Value {
        var object: [String: Value] = [
            "type": "object",
            "properties": .object(properties),
            "additionalProperties": false,
        ]
        if !required.isEmpty { object["required"] = .array(required.map(Value.string)) }
        return .object(object)
    }

    /// The argument names a tool's schema lists.
    static func argumentNames(of tool: Tool) -> [String] {
        tool.inputSchema.objectValue?["properties"]?.objectValue.map { Array($0.keys) } ?? []
    }
}
