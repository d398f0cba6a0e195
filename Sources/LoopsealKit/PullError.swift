import LoopsealDiagnostics

/// Why a following host (`watch --pull`) could not fetch, refused a commit, or cannot start.
/// Never holds a secret value.
public struct PullError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension PullError: LoopsealError {}
