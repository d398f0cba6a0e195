/// Errors of the application layer's own checks. None carries a secret value.
public enum KitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A secret meant for an environment variable holds a NUL byte.
    case nulInEnvironmentValue(key: String)

    public var description: String {
        switch self {
        case .nulInEnvironmentValue(let key):
            return "secret '\(key)' holds a NUL byte and cannot be an environment variable"
        }
    }
}
