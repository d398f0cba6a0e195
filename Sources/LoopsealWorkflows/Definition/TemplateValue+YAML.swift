import Foundation
import LoopsealValue
import Yams

extension TemplateValue {
    /// Converts a Yams node: mappings keep their order, scalars resolve like YAML 1.2 core.
    init(yaml node: Node) {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { self = .string(scalar.string); return }
            if let bool = Bool.construct(from: scalar) { self = .bool(bool); return }
            if let int = Int.construct(from: scalar) { self = .number(Double(int)); return }
            if let double = Double.construct(from: scalar) { self = .number(double); return }
            if NSNull.construct(from: scalar) != nil { self = .null; return }
            self = .string(scalar.string)
        case .sequence(let sequence): self = .list(sequence.map(TemplateValue.init(yaml:)))
        case .mapping(let mapping):
            self = .dictionary(mapping.map { ($0.key.string ?? "", TemplateValue(yaml: $0.value)) })
        case .alias: self = .null
        }
    }

    /// Parses YAML text as template data (for `render --data file.yaml`): mappings keep their
    /// order, scalars resolve like YAML 1.2 core; an empty document is null.
    public init(yamlText: String) throws {
        self = try Yams.compose(yaml: yamlText).map(TemplateValue.init(yaml:)) ?? .null
    }

    /// Parses YAML text as data under the hostile-YAML limits (``YAMLLimits``: alias budget, a
    /// key given twice): a problem names `file`, line and column, never the text. For input that
    /// may hold secrets (`loopseal import`).
    public init(yamlText: String, file: String) throws(WorkflowProblem) {
        switch WorkflowParser.compose(yamlText, file: file) {
        case .failure(let problem): throw problem
        case .success(let root): self = root.map(TemplateValue.init(yaml:)) ?? .null
        }
    }
}
