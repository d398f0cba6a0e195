import LoopsealDiagnostics

/// Why a set of entries could not be rendered. Messages name the key, never the value.
public enum FormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The value of `key` cannot be written exactly in `format`, for the stated `reason`.
    case unrepresentable(key: String, format: String, reason: String)
    /// A `FormatOptions` field (`option`, e.g. `name`) is not acceptable to `format`, for
    /// the stated `reason`. Options are not secret, so the reason may quote the option.
    case invalidOption(format: String, option: String, reason: String)

    /// A human-readable message naming the key (or option), format and reason (never a value).
    public var description: String {
        switch self {
        case let .unrepresentable(key, format, reason):
            return "cannot write \(key) as \(format): \(reason)"
        case let .invalidOption(format, option, reason):
            return "invalid \(option) for \(format): \(reason)"
        }
    }
}

extension FormatError: LoopsealError {}
