import LoopsealDiagnostics

/// JSON text that does not parse: where (1-based line and column, in characters) and why.
/// Never carries the text itself.
public struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column, in characters.
    public var column: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(line):\(column): \(message)" }
}

extension JSONSyntaxError: LoopsealError {
    public var position: SourcePosition? { SourcePosition(line: line, column: column) }
}
