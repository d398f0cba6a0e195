import LoopsealDiagnostics

/// A template that cannot be parsed or rendered, with where and why. Never carries data values.
public struct TemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// The template text is not valid (or uses an unsupported feature).
        case parse
        /// Rendering failed (missing helper or partial, bad helper arguments).
        case render
        /// Strict mode met a missing path.
        case missingPath
        /// The data file is not valid JSON or YAML.
        case data
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The template's name (usually its file name).
    public var template: String
    /// 1-based line.
    public var line: Int
    /// 1-based column (in characters).
    public var column: Int
    /// What went wrong and, where it helps, what was expected.
    public var message: String

    /// Creates an error.
    public init(kind: Kind, template: String, line: Int, column: Int, message: String) {
        self.kind = kind
        self.template = template
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(template):\(line):\(column): \(message)" }
}

/// A position in template source.
struct SourceLocation: Sendable, Equatable {
    var line: Int
    var column: Int
}

extension TemplateError: LoopsealError {
    public var file: String? { template }
    public var position: SourcePosition? { SourcePosition(line: line, column: column) }
}
