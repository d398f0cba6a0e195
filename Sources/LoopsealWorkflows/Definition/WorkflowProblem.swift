import LoopsealDiagnostics

/// One thing wrong with a workflow, widget or template file, at a position people can jump to.
public struct WorkflowProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (as given).
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// What is wrong and what to do.
    public var message: String

    /// Creates a problem.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Every problem found in a workflow, reported together.
public struct WorkflowValidationError: Error, Sendable, CustomStringConvertible {
    /// The problems, in file order.
    public var problems: [WorkflowProblem]

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}

/// A position in a workflow file.
public struct Mark: Sendable, Equatable {
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    /// Creates a mark.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    static let start = Mark(line: 1, column: 1)
}

extension WorkflowValidationError: LoopsealError {}
