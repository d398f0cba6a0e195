import LoopsealDiagnostics

/// Errors of the exposure ledger's use cases. None carries a secret value.
public enum ExposureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `rotate --exposed-to NAME`: nothing NAME could read is still exposed.
    case nothingExposed(recipient: String)
    /// A rotation of several secrets was asked with no key.
    case noKeys

    public var description: String {
        switch self {
        case .nothingExposed(let recipient):
            return "nothing is exposed to '\(recipient)': every secret they could read has a new value (or no removal of '\(recipient)' is recorded; see 'loopseal exposure')"
        case .noKeys:
            return "no secret to rotate"
        }
    }
}

extension ExposureError: LoopsealError {}
