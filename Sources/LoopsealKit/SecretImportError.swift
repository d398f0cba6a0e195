import LoopsealDiagnostics

/// Why a file to import was refused (nothing is written). Names the file, the place and the
/// key, never a value.
public enum SecretImportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is not UTF-8 text.
    case notUTF8(file: String)
    /// The JSON or YAML does not parse (or, YAML, names a key twice or expands too far).
    case syntax(file: String, line: Int, column: Int, problem: String)
    /// The document is not one mapping of names to values.
    case notAMapping(file: String, format: ImportFormat)
    /// A value is not a string; `kind` says what it is ("a number").
    case notAString(file: String, key: String, kind: String)
    /// A name is not an environment variable name.
    case invalidName(file: String, key: String)

    public var description: String {
        switch self {
        case .notUTF8(let file):
            return "\(file): not UTF-8 text: save it as UTF-8; nothing was imported"
        case let .syntax(file, line, column, problem):
            return "\(file):\(line):\(column): \(problem); nothing was imported"
        case let .notAMapping(file, format):
            return "\(file): a \(format.rawValue) file to import holds one mapping of NAME: \"value\" pairs; nothing was imported"
        case let .notAString(file, key, kind):
            return "\(file): \(key) is \(kind), not a string: write it as a quoted string (\"…\") to import it as text, or leave it out; nothing was imported"
        case let .invalidName(file, key):
            return "\(file): '\(UntrustedText.display(key))' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*, at most 200 characters): rename it; nothing was imported"
        }
    }
}

extension SecretImportError: LoopsealError {
    public var file: String? {
        switch self {
        case .notUTF8(let file), .syntax(let file, _, _, _), .notAMapping(let file, _),
             .notAString(let file, _, _), .invalidName(let file, _):
            return file
        }
    }

    public var position: SourcePosition? {
        if case let .syntax(_, line, column, _) = self { return SourcePosition(line: line, column: column) }
        return nil
    }
}
