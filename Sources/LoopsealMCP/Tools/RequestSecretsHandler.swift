import LoopsealStore
import LoopsealTemplates
import LoopsealWorkflows
import MCP
import LoopsealValue

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
            return ToolOutcome(result, failure: "the secret request \(run.id) did not wait for a person (\(run.status.rawValue)): \(run.error ?? "check workflows/\(Self.workflowName).yaml")")
        }
        return ToolOutcome(result)
    }

    /// `keys` as `[{key, description?}]`: names or objects, each a valid key, none repeated.
    static func variables(_ arguments: ToolArguments) throws -> [TemplateValue] {
        guard let items = try arguments.array("keys"), !items.isEmpty else {
            throw ToolCallError("request_secrets: 'keys' is required: a list of key names like [\"API_KEY\"] or objects [{\"key\": \"API_KEY\", \"description\": \"…\"}]")
        }
        var seen: Set<String> = []
        return try items.enumerated().map { index, item in
            let field = "keys[\(index)]"
            let key: String
            var description: String?
            switch item {
            case .string(let name):
                key = name
            case .object(let object):
                if let extra = object.keys.sorted().first(where: { $0 != "key" && $0 != "description" }) {
                    throw ToolCallError("request_secrets: '\(field)' has unknown field '\(ToolArguments.printable(extra))' (expected: key, description)")
                }
                guard let name = object["key"]?.stringValue else {
                    throw ToolCallError("request_secrets: '\(field).key' is required and must be a string")
                }
                key = name
                if let text = object["description"], !text.isNull {
                    guard let string = text.stringValue else { throw ToolCallError("request_secrets: '\(field).description' must be a string") }
                    description = string
                }
            default:
                throw ToolCallError("request_secrets: '\(field)' must be a key name or an object {key, description}")
            }
            guard Names.isValidKey(key) else {
                throw ToolCallError("request_secrets: '\(field)': \(StoreError.invalidKey(key))")
            }
            guard seen.insert(key).inserted else {
                throw ToolCallError("request_secrets: '\(field)': \(key) is listed twice")
            }
            var pairs: [(String, TemplateValue)] = [("key", .string(key))]
            if let description { pairs.append(("description", .string(description))) }
            return .dictionary(pairs)
        }
    }
}
