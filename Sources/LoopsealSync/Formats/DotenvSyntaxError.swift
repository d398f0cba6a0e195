import LoopsealDiagnostics

/// A `.env` file that ``DotenvParser`` refuses: where (1-based line and column, in characters)
/// and what to do. Never carries text from the file: a line that does not parse is often part
/// of a value (a PEM body line left unquoted), so not even the name it seems to start with is
/// shown.
public struct DotenvSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as the user named it (`stdin` for standard input).
    public var fileName: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, in characters.
    public var column: Int
    /// What is wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(fileName: String, line: Int, column: Int, message: String) {
        self.fileName = fileName
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`.
    public var description: String { "\(fileName):\(line):\(column): \(message)" }
}

extension DotenvSyntaxError: LoopsealError {
    public var file: String? { fileName }
    public var position: SourcePosition? { SourcePosition(line: line, column: column) }
}
