/// The one shape of Loopseal's errors: what a person needs to act, never a secret value.
/// Every module's error type conforms; each adapter renders them in one place (the CLI's
/// `Terminal.report`, the server's error responses, MCP's tool errors).
public protocol LoopsealError: Error, CustomStringConvertible {
    /// The file the problem is in, when there is one.
    var file: String? { get }
    /// Where in that file, when known.
    var position: SourcePosition? { get }
    /// True for a mistake in how the command was called (the CLI exits 2); false for every
    /// other failure (exit 1).
    var isUsageError: Bool { get }
}

extension LoopsealError {
    public var file: String? { nil }
    public var position: SourcePosition? { nil }
    public var isUsageError: Bool { false }
}
