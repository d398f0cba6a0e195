import MCP

/// `list_workflows`: `{workflows: [{name, file, title?, description?}]}`: the root's `workflows/`
/// and the built-in workflows it does not override (`file` is then `<built-in>/NAME.yaml`).
struct ListWorkflowsHandler: MCPToolHandler {
    let definition = ToolDefinitions.listWorkflows

    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome {
        let workflows = context.runs(try context.workspace(arguments)).workflows()
        return ToolOutcome([
            "workflows": .array(workflows.map { summary in
                var entry: [String: Value] = ["name": .string(summary.name), "file": .string(summary.file)]
                if let title = summary.title { entry["title"] = .string(title) }
                if let description = summary.description { entry["description"] = .string(description) }
                return .object(entry)
            }),
        ])
    }
}
