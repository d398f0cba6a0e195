import LoopsealStore
import MCP

/// `get_secret_keys`: `{workspace, keys: [{key, hasValue, problem?}]}`, read without decrypting
/// anything. A file that cannot be read is listed with its `problem` and `hasValue: null`.
struct GetSecretKeysHandler: MCPToolHandler {
    let definition = ToolDefinitions.getSecretKeys

    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome {
        let workspace = try context.workspace(arguments)
        let keys = try SecretService(workspace: workspace).keys()
        return ToolOutcome([
            "workspace": .string(workspace.id),
            "keys": .array(keys.map { info -> Value in
                guard let problem = info.problem else { return ["key": .string(info.key), "hasValue": .bool(info.hasValue)] }
                return ["key": .string(info.key), "hasValue": .null, "problem": .string(problem)]
            }),
        ])
    }
}
