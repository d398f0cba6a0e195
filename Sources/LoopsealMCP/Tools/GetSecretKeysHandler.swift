import LoopsealStore
import MCP

/// `get_secret_keys`: `{workspace, keys: [{key, hasValue, problem?, owner?, expires?, rotateEvery?,
/// rotated?, description?}]}`, read without decrypting anything (metadata, never a value). A file
/// that cannot be read is listed with its `problem` and `hasValue: null`.
struct GetSecretKeysHandler: MCPToolHandler {
    let definition = ToolDefinitions.getSecretKeys

    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome {
        let workspace = try context.workspace(arguments)
        let keys = try SecretService(workspace: workspace).keys()
        return ToolOutcome([
            "workspace": .string(workspace.id),
            "keys": .array(keys.map { info -> Value in
                guard let problem = info.problem else {
                    var item: [String: Value] = ["key": .string(info.key), "hasValue": .bool(info.hasValue)]
                    for case let (name, value?) in info.metadata.fields { item[name] = .string(value) }
                    return .object(item)
                }
                return ["key": .string(info.key), "hasValue": .null, "problem": .string(problem)]
            }),
        ])
    }
}
