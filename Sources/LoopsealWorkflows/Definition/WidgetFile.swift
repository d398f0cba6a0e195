import LoopsealStore

/// A `*.ui.yaml` (or `*.ui.yml`) file read on its own, so `loopseal workflow validate workflows/*.yaml`
/// checks widget files as widgets instead of refusing them as workflows without `transitions:`.
/// The transitions a widget fires are checked with the workflow that names the file.
public enum WidgetFile {
    /// True when `path` names a widget file (`.ui.yaml`, `.ui.yml`).
    public static func isWidgetFile(_ path: String) -> Bool {
        path.hasSuffix(".ui.yaml") || path.hasSuffix(".ui.yml")
    }

    /// The widgets in the file at `path`. Throws ``WorkflowValidationError`` with every problem,
    /// each with its line and column.
    public static func load(path: String) throws -> [WidgetDefinition] {
        guard let bytes = try FileIO.contentsIfExists(path, limit: FileLimits.workflowFile, kind: "workflow file") else {
            throw WorkflowValidationError(problems: [WorkflowProblem(file: path, line: 1, column: 1, message: "no such widget file")])
        }
        switch WorkflowParser.compose(String(decoding: bytes, as: UTF8.self), file: path) {
        case .failure(let problem):
            throw WorkflowValidationError(problems: [problem])
        case .success(nil):
            return []
        case .success(let node?):
            var parser = WidgetParser(file: path)
            let widgets = parser.parse(node)
            guard parser.problems.isEmpty else { throw WorkflowValidationError(problems: parser.problems) }
            return widgets
        }
    }
}
