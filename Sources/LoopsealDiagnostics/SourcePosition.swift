/// A place in a text file: 1-based line and column (in characters).
public struct SourcePosition: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column, in characters.
    public var column: Int

    /// Creates a position.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }

    /// `file:line:column`, `file:line` or `file`: how messages name a place.
    public static func location(_ file: String, line: Int?, column: Int?) -> String {
        switch (line, column) {
        case let (line?, column?): return "\(file):\(line):\(column)"
        case let (line?, nil): return "\(file):\(line)"
        default: return file
        }
    }
}
