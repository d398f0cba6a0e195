import LoopsealDiagnostics
import Yams

/// Checks on a composed YAML document that Yams does not make, applied to every YAML file
/// Loopseal reads (`workspace.yaml`, sealed files, workflows, widgets).
///
/// - Alias expansion: Yams resolves every alias into a copy of its anchor, so a few hundred
///   bytes of nested aliases ("billion laughs") describe billions of nodes, and any walk over
///   the tree, such as reading a workflow's arguments or re-serializing `workspace.yaml`, never
///   ends. Without aliases a document has fewer nodes than bytes; the budget allows ten times
///   that, plus slack for small files that reuse an anchor.
/// - Keys: Yams compares keys with their tags, so `!!str 1` and `1`, or `!x name` and `name`,
///   are different keys to it, while Loopseal reads keys as text and writes them back untagged.
///   Two keys with the same text in one mapping are refused.
public enum YAMLLimits {
    /// What is wrong and where (1-based).
    public struct Problem: Sendable, Equatable {
        /// The explanation.
        public var message: String
        /// 1-based line.
        public var line: Int
        /// 1-based column.
        public var column: Int
    }

    /// The most nodes a document of `byteCount` bytes may expand to.
    public static func nodeBudget(forByteCount byteCount: Int) -> Int { 10_000 + 10 * byteCount }

    /// The first problem in `root`, composed from `byteCount` bytes, or nil. Stops at the budget.
    public static func check(_ root: Node, byteCount: Int) -> Problem? {
        let budget = nodeBudget(forByteCount: byteCount)
        var pending = [root]
        var count = 0
        while let node = pending.popLast() {
            count += 1
            guard count <= budget else {
                return Problem(message: "YAML aliases expand this \(byteCount)-byte file to more than \(budget) nodes: use fewer or less nested aliases (*name)",
                               line: 1, column: 1)
            }
            switch node {
            case .mapping(let mapping):
                var keys = Set<String>()
                for (key, value) in mapping {
                    if case .scalar(let scalar) = key, !keys.insert(scalar.string).inserted {
                        return Problem(message: "key '\(UntrustedText.display(scalar.string, limit: 80))' appears twice in this mapping (a YAML tag does not make keys different)",
                                       line: key.mark?.line ?? 1, column: key.mark?.column ?? 1)
                    }
                    pending.append(key)
                    pending.append(value)
                }
            case .sequence(let sequence):
                pending.append(contentsOf: sequence)
            default:
                break
            }
        }
        return nil
    }
}
