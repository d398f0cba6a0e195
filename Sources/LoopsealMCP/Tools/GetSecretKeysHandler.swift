import LoopsealStore
import MCP

/// `get_secret_keys`: `{workspace, keys: [{key, hasValue}]}`, read without decrypting anything.
struct GetSecretKeysHandler: MCPToolHandler {
    let definition = ToolDefinitions.getSecretKeys

    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome {
        let workspace = try context.workspace(arguments)
        let keys = try SecretService(workspace: workspace).keys()
        return ToolOutcome([
            "workspace": .string(workspace.id),
            "keys": .array(keys.map { ["key": .string($0.key), "hasValue": .bool($0.hasValue)] }),
        ])
    }
}
