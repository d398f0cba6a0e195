import LoopsealStore
import LoopsealTemplates

extension WorkflowValidator {
    /// A call that starts a child run is its transition's only call; the child exists (in the
    /// workflow's folder or built in); and no chain of such calls leads back to this workflow.
    mutating func checkSubWorkflowCalls(_ transition: TransitionDefinition) {
        for call in transition.calls {
            guard let tool = tools.tool(named: call.tool) as? any SubWorkflowTool else { continue }
            if transition.calls.count > 1 {
                let others = transition.calls.filter { $0.toolMark != call.toolMark }.map { "'\($0.toolAsWritten)'" }.joined(separator: ", ")
                problem(call.toolMark, "\(call.toolAsWritten) must be the only tool call in its transition ('\(transition.id)' also calls \(others)): it waits for a child run, so move the other calls to a transition before or after it")
            }
            guard let (child, mark) = tool.childWorkflow(call.args) else { continue }
            if child == definition.name {
                problem(mark, "workflow '\(definition.name)' starts itself as a child run (\(call.toolAsWritten)), so its runs would nest without end: start another workflow")
                continue
            }
            guard Self.childExists(child, folder: definition.directory) else {
                let known = Self.workflowNames(in: definition.directory).filter { $0 != definition.name }.joined(separator: ", ")
                problem(mark, "no workflow named '\(child)' to start as a child run (known: \(known.isEmpty ? "none" : known)): add workflows/\(child).yaml or fix the name")
                continue
            }
            if let path = Self.cycle(from: child, back: definition.name, folder: definition.directory) {
                problem(mark, "workflow '\(definition.name)' starts itself through \(path.map { "'\($0)'" }.joined(separator: " → ")), so its runs would nest without end")
            }
        }
    }

    /// A workflow file for `name` in `folder`, or a built-in workflow of that name.
    static func childExists(_ name: String, folder: String) -> Bool {
        file(of: name, folder: folder) != nil || BuiltInWorkflows.names.contains(name)
    }

    private static func file(of name: String, folder: String) -> String? {
        guard !name.contains("/"), !name.hasPrefix(".") else { return nil }
        return [".yaml", ".yml", ".workflow.yaml"].map { "\(folder)/\(name)\($0)" }.first { FileIO.exists($0) && !FileIO.isDirectory($0) }
    }

    private static func workflowNames(in folder: String) -> [String] {
        let files = (try? FileIO.directoryEntries(folder)) ?? []
        let own = files.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.contains(".ui.") && !$0.hasPrefix(".") }
            .map(WorkflowParser.workflowName)
        return Array(Set(own + BuiltInWorkflows.names)).sorted()
    }

    /// The chain of child workflows from `start` that starts `target` again, when there is one.
    /// Files that do not parse end a chain (their own validation reports them).
    private static func cycle(from start: String, back target: String, folder: String) -> [String]? {
        var visited: Set<String> = []
        func visit(_ name: String, _ path: [String]) -> [String]? {
            guard visited.insert(name).inserted, path.count <= RunLimits.maxChildDepth * 4 else { return nil }
            let children: [String]
            if let file = file(of: name, folder: folder), let definition = try? WorkflowParser.load(path: file) {
                children = childNames(definition)
            } else {
                children = BuiltInWorkflows.parsed(name).map(childNames) ?? []
            }
            for child in children {
                if child == target { return path + [name, child] }
                if let found = visit(child, path + [name]) { return found }
            }
            return nil
        }
        return visit(start, [])
    }

    private static func childNames(_ definition: WorkflowDefinition) -> [String] {
        definition.transitions.flatMap(\.calls).compactMap { call in
            (ToolRegistry.builtIn.tool(named: call.tool) as? any SubWorkflowTool)?.childWorkflow(call.args)?.0
        }
    }
}
