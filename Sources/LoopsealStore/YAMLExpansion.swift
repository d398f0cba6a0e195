import Yams

/// A bound on how far YAML aliases may expand a document.
///
/// Yams resolves every alias into a copy of its anchor, so a few hundred bytes of nested
/// aliases ("billion laughs") describe billions of nodes, and any walk over the tree, such as
/// reading a workflow's arguments or re-serializing `workspace.yaml`, never ends. Without
/// aliases a document has fewer nodes than bytes; the budget allows ten times that, plus slack
/// for small files that reuse an anchor, before refusing the file.
public enum YAMLExpansion {
    /// The most nodes a document of `byteCount` bytes may expand to.
    public static func nodeBudget(forByteCount byteCount: Int) -> Int { 10_000 + 10 * byteCount }

    /// The problem to report when `root`, composed from `byteCount` bytes, expands beyond
    /// ``nodeBudget(forByteCount:)``; nil when it stays within it. Stops counting at the budget.
    public static func problem(_ root: Node, byteCount: Int) -> String? {
        let budget = nodeBudget(forByteCount: byteCount)
        var pending = [root]
        var count = 0
        while let node = pending.popLast() {
            count += 1
            guard count <= budget else {
                return "YAML aliases expand this \(byteCount)-byte file to more than \(budget) nodes: use fewer or less nested aliases (*name)"
            }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping {
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
