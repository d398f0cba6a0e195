/// Why a set of entries could not be rendered. Messages name the key, never the value.
public enum FormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The value of `key` cannot be written exactly in `format`, for the stated `reason`.
    case unrepresentable(key: String, format: String, reason: String)

    /// A human-readable message naming the key, format and reason (never the value).
    public var description: String {
        switch self {
        case let .unrepresentable(key, format, reason):
            return "cannot write \(key) as \(format): \(reason)"
        }
    }
}
