import LoopsealStore
import LoopsealTemplates
import LoopsealValue

/// `request_secrets`: declares the keys a person must provide, as valueless secret files
/// (existing secrets keep their values). Returns `{variables}`.
public struct RequestSecretsTool: WorkflowTool {
    public let name = "request_secrets"
    public init() {}

    public func validate(_ args: ArgValue, workflow: WorkflowDefinition) -> [ToolArgumentIssue] {
        guard let variables = args.field("variables") else {
            return [ToolArgumentIssue(mark: args.mark, message: "request_secrets needs 'variables: [{key: NAME}]'")]
        }
        guard case .list(let items, _) = variables else {
            if case .text = variables { return [] }
            return [ToolArgumentIssue(mark: variables.mark, message: "'variables' must be a list of {key: NAME}")]
        }
        return items.compactMap { item in
            guard case .constant(.string(let key), let mark)? = item.field("key") else {
                if item.field("key") == nil { return ToolArgumentIssue(mark: item.mark, message: "each variable needs 'key: NAME'") }
                return nil
            }
            return Names.isValidKey(key) ? nil : ToolArgumentIssue(mark: mark, message: StoreError.invalidKey(key).description)
        }
    }

    public func run(_ args: TemplateValue, context: ToolContext) throws -> TemplateValue {
        guard case .array(let items)? = args.property("variables") else {
            throw ToolError("request_secrets needs 'variables: [{key: NAME}]'")
        }
        var variables: [TemplateValue] = []
        for item in items.items {
            guard case .string(let key)? = item.property("key") else { throw ToolError("each variable needs 'key: NAME'") }
            try Names.checkKey(key)
            try context.secrets.declare(key: key)
            context.request(key)
            var pairs: [(String, TemplateValue)] = [("key", .string(key))]
            if let description = item.property("description") { pairs.append(("description", description)) }
            variables.append(.dictionary(pairs))
        }
        return .dictionary([("variables", .list(variables))])
    }
}

/// `get_secret_keys`: `[{key, hasValue}]` for the workspace; never values.
public struct GetSecretKeysTool: WorkflowTool {
    public let name = "get_secret_keys"
    public init() {}

    public func run(_ args: TemplateValue, context: ToolContext) throws -> TemplateValue {
        .list(try context.secrets.keys().map { .dictionary([("key", .string($0.key)), ("hasValue", .bool($0.hasValue))]) })
    }
}

/// `sync_secrets`: pushes the workspace's secrets to its targets. Returns `{success, count}`.
public struct SyncSecretsTool: WorkflowTool {
    public let name = "sync_secrets"
    public init() {}

    public func run(_ args: TemplateValue, context: ToolContext) throws -> TemplateValue {
        guard let syncer = context.syncer else {
            throw ToolError("no syncer is configured for this run")
        }
        let count = try syncer.syncAll(workspace: context.workspace)
        return .dictionary([("success", .bool(true)), ("count", .number(Double(count)))])
    }
}
