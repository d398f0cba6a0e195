import LoopsealWorkflows
import MCP

/// JSON Schemas of the tools' `structuredContent`, declared as each tool's `outputSchema`. A
/// client validates every successful result against them (the MCP Python SDK refuses a result
/// that does not match), so a field added to a result must be added here too.
enum OutputSchemas {
    private static let string: Value = ["type": "string"]
    private static let strings: Value = ["type": "array", "items": ["type": "string"]]
    private static let keyNames: Value = [
        "type": "array", "items": ["type": "string"], "description": "Secret key names (never values).",
    ]
    private static let runStatus: Value = [
        "type": "string", "enum": ["running", "waiting", "pending", "completed", "failed"],
        "description": "waiting: a person must act (open the link); pending: it waits on a child run (pendingOn) and goes on by itself; completed: the run reached 'end'; failed: see 'error'.",
    ]
    private static let link: Value = ["type": "string", "description": "The run's page on `loopseal serve`."]

    static let getSecretKeys = ToolDefinitions.schema(
        properties: [
            "workspace": string,
            "keys": [
                "type": "array",
                "items": ToolDefinitions.schema(
                    properties: [
                        "key": string,
                        "hasValue": [
                            "type": ["boolean", "null"],
                            "description": "Whether a value is stored; null when the file cannot be read (see 'problem').",
                        ],
                        "problem": ["type": "string", "description": "Why the file cannot be read (a merge conflict, a parse error)."],
                        "owner": ["type": "string", "description": "Who rotates it: a recipient or writer name, or an email."],
                        "expires": ["type": "string", "description": "The day the value expires, YYYY-MM-DD."],
                        "rotateEvery": ["type": "string", "description": "How often the value should change: 90d, 12w, 6m, 1y."],
                        "rotated": ["type": "string", "description": "The day the value last changed, YYYY-MM-DD."],
                        "description": ["type": "string", "description": "What the secret is (never its value)."],
                    ],
                    required: ["key", "hasValue"]),
            ],
        ],
        required: ["workspace", "keys"])

    static let listWorkflows = ToolDefinitions.schema(
        properties: [
            "workflows": [
                "type": "array",
                "items": ToolDefinitions.schema(
                    properties: [
                        "name": string,
                        "file": [
                            "type": "string",
                            "description": "Its file under the root, or <built-in>/NAME.yaml for one shipped inside Loopseal.",
                        ],
                        "title": string,
                        "description": string,
                    ],
                    required: ["name", "file"]),
            ],
        ],
        required: ["workflows"])

    /// A run as `start_run` and `get_run` describe it (``RunSummary``).
    static let run = ToolDefinitions.schema(
        properties: [
            "id": string,
            "workflow": string,
            "workspace": string,
            "status": runStatus,
            "place": string,
            "waitingFor": ["type": "array", "items": ["type": "string"], "description": "Manual transitions a person can fire."],
            "requestedKeys": keyNames,
            "missingKeys": keyNames,
            "link": link,
            "parent": [
                "anyOf": [
                    ToolDefinitions.schema(properties: ["id": string, "transition": string, "link": link], required: ["id", "transition", "link"]),
                    ["type": "null"],
                ],
                "description": "The run that started this one as a child run (its transition), or null.",
            ],
            "children": [
                "type": "array",
                "description": "The child runs this run started, oldest first.",
                "items": ToolDefinitions.schema(
                    properties: [
                        "id": string, "workflow": string, "transition": string,
                        "show": ["type": "string", "enum": ["inline", "link"]],
                        "link": link,
                        "status": runStatus,
                    ],
                    required: ["id", "workflow", "transition", "show", "link"]),
            ],
            "pendingOn": [
                "anyOf": [
                    ToolDefinitions.schema(properties: ["id": string, "workflow": string, "link": link], required: ["id", "link"]),
                    ["type": "null"],
                ],
                "description": "While pending: the child run it waits on; null otherwise.",
            ],
            "error": string,
        ],
        required: ["id", "workflow", "workspace", "status", "place", "waitingFor", "requestedKeys", "missingKeys", "link",
                   "parent", "children", "pendingOn"])

    static let requestSecretsTask = ToolDefinitions.schema(
        properties: [
            "workflowId": ["type": "string", "description": "The secret request's run id: pass it back as workflowId to ask again."],
            "workspace": string,
            "status": [
                "type": "string", "enum": ["pending", "completed", "failed"],
                "description": "pending: a person has yet to submit the values (give the user the link); completed: see 'result'; failed: see 'error'.",
            ],
            "result": [
                "type": "string",
                "description": "Once completed: \"\(RequestSecretsTaskTool.completionMessage)\" (never a value).",
            ],
            "requestedKeys": keyNames,
            "missingKeys": keyNames,
            "link": link,
            "error": string,
        ],
        required: ["workflowId", "workspace", "status", "requestedKeys", "missingKeys", "link"])

    static let requestSecrets = ToolDefinitions.schema(
        properties: [
            "runId": string,
            "workspace": string,
            "status": runStatus,
            "requestedKeys": keyNames,
            "link": link,
        ],
        required: ["runId", "workspace", "status", "requestedKeys", "link"])

    static let syncSecrets = ToolDefinitions.schema(
        properties: [
            "workspace": string,
            "dryRun": ["type": "boolean"],
            "targets": [
                "type": "array",
                "items": ToolDefinitions.schema(
                    properties: [
                        "name": string,
                        "type": string,
                        "status": [
                            "type": "string",
                            "enum": ["unchanged", "would write", "written", "not written", "would be refused", "refused"],
                        ],
                        "written": ["type": "boolean"],
                        "needsWrite": ["type": "boolean"],
                        "drifted": ["type": "boolean"],
                        "added": keyNames,
                        "changed": keyNames,
                        "removed": keyNames,
                        "keyCount": ["type": "integer", "minimum": 0],
                    ],
                    required: ["name", "type", "status", "written", "needsWrite", "drifted", "added", "changed", "removed", "keyCount"]),
            ],
            "failures": strings,
        ],
        required: ["workspace", "dryRun", "targets", "failures"])
}
