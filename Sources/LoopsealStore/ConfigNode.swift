import LoopsealDiagnostics
import Yams

/// A YAML value from `workspace.yaml` with where it stands, for a module that interprets a
/// section (Sync reads `targets:`) without Yams types crossing the module boundary.
public indirect enum ConfigNode: Sendable, Equatable {
    /// Text (every scalar is read as text).
    case scalar(String, SourcePosition?)
    /// A list.
    case sequence([ConfigNode], SourcePosition?)
    /// Key–value pairs, in file order.
    case mapping([ConfigPair], SourcePosition?)

    /// Where the value starts in the file.
    public var position: SourcePosition? {
        switch self {
        case .scalar(_, let position), .sequence(_, let position), .mapping(_, let position): return position
        }
    }

    /// The text of a scalar; nil for a list or a mapping.
    public var string: String? {
        if case .scalar(let text, _) = self { return text }
        return nil
    }

    /// The keys of a mapping, in file order (empty for anything else).
    public var keys: [ConfigNode] {
        if case .mapping(let pairs, _) = self { return pairs.map(\.key) }
        return []
    }

    /// The value of the first pair whose key is the text `key`, in a mapping.
    public subscript(key: String) -> ConfigNode? {
        if case .mapping(let pairs, _) = self { return pairs.first { $0.key.string == key }?.value }
        return nil
    }

    /// Converts a composed Yams node (aliases are already resolved by composing).
    init(_ node: Node) {
        let position = node.mark.map { SourcePosition(line: $0.line, column: $0.column) }
        switch node {
        case .scalar(let scalar): self = .scalar(scalar.string, position)
        case .sequence(let items): self = .sequence(items.map(ConfigNode.init), position)
        case .mapping(let pairs): self = .mapping(pairs.map { ConfigPair(key: ConfigNode($0.key), value: ConfigNode($0.value)) }, position)
        case .alias: self = .scalar("", position)
        }
    }
}

/// One key–value pair of a ``ConfigNode`` mapping.
public struct ConfigPair: Sendable, Equatable {
    /// The key.
    public var key: ConfigNode
    /// The value.
    public var value: ConfigNode
}
