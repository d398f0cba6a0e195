/// The outcome of a multi-secret write: one entry per change, in the order given.
public struct SecretBatchResult: Sendable {
    /// `(key, outcome)` per change.
    public var outcomes: [(key: String, outcome: SecretWriteOutcome)]
    /// True when files were written (false for a dry run, a refusal or when nothing changed).
    public var written: Bool

    /// Creates a result.
    public init(outcomes: [(key: String, outcome: SecretWriteOutcome)], written: Bool) {
        self.outcomes = outcomes
        self.written = written
    }

    /// True when some change was refused (and so nothing was written).
    public var refused: Bool { outcomes.contains { $0.outcome == .refused } }
}
