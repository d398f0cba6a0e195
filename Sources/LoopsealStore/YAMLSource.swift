import LoopsealYAML
import Yams

/// Helpers for reading YAML with positions: every error names file, line and column.
enum YAMLSource {
    /// Composes `text` into a node tree, turning Yams errors into ``StoreError/malformed``
    /// without echoing the document. Refuses what ``YAMLLimits`` refuses.
    ///
    /// Plain scalars are not resolved to bool, int, float or null tags (`Resolver.basic`, an
    /// empty `Constructor`): the store reads every scalar as text, and the default resolver
    /// compiles seven ICU regular expressions on first use, which was a fifth of `loopseal get`.
    /// The encoding is given, so Yams does not copy the whole environment to look for
    /// `YAMS_DEFAULT_ENCODING`.
    static func compose(_ text: String, file: String) throws -> Node? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic, Constructor([:], [:], [:]), .utf8)
        } catch let error as YamlError {
            throw describe(error, file: file)
        } catch {
            throw StoreError.malformed(file: file, line: nil, column: nil, problem: "not valid YAML")
        }
        if let root, let problem = YAMLLimits.check(root, byteCount: text.utf8.count) {
            throw StoreError.malformed(file: file, line: problem.line, column: problem.column, problem: problem.message)
        }
        return root
    }

    static func describe(_ error: YamlError, file: String) -> StoreError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return .malformed(file: file, line: mark.line, column: mark.column, problem: "invalid YAML: \(detail)")
        case let .reader(problem, _, _, _):
            return .malformed(file: file, line: nil, column: nil, problem: "invalid YAML: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\(StoreError.printable($0))'" }.joined(separator: ", ")
            return .malformed(file: file, line: context.mark.line, column: context.mark.column,
                              problem: "key \(keys) appears twice in this mapping (a YAML tag does not make keys different)")
        default:
            return .malformed(file: file, line: nil, column: nil, problem: "invalid YAML")
        }
    }

    static func malformed(_ file: String, _ node: Node?, _ problem: String) -> StoreError {
        .malformed(file: file, line: node?.mark?.line, column: node?.mark?.column, problem: problem)
    }

    /// The scalar string of `node`, or an error naming what was expected.
    static func scalar(_ node: Node, file: String, field: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw malformed(file, node, "'\(field)' must be a single value")
        }
        return scalar.string
    }
}
