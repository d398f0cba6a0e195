import LoopsealDiagnostics

/// A problem found while parsing or evaluating a `${{ … }}` expression.
///
/// `offset` is a 0-based offset in `Character`s into the expression source (or, for errors thrown
/// by ``ExpressionInterpolation``, into the whole text being scanned).
public struct ExpressionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 0-based character offset in the source where the problem is.
    public var offset: Int
    /// What is wrong and what was expected, e.g. `expected ')' after 'a == (b'`.
    public var message: String

    /// Creates an error at `offset` with `message`.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// `"<message> (at offset <offset>)"`.
    public var description: String { "\(message) (at offset \(offset))" }
}

extension ExpressionError: LoopsealError {}
