import LoopsealDiagnostics

/// Errors of the application layer's own checks. None carries a secret value.
public enum KitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A secret meant for an environment variable holds a NUL byte.
    case nulInEnvironmentValue(key: String)
    /// A recipient's public key does not parse.
    case invalidRecipientKey(name: String, problem: String)
    /// Removing this recipient would leave nobody able to decrypt.
    case lastRecipient(name: String)
    /// `rotate` names a secret the workspace does not have.
    case nothingToRotate(key: String, workspace: String)

    public var description: String {
        switch self {
        case .nulInEnvironmentValue(let key):
            return "secret '\(key)' holds a NUL byte and cannot be an environment variable"
        case .invalidRecipientKey(let name, let problem):
            return "recipient '\(name)': \(problem)"
        case .lastRecipient(let name):
            return "'\(name)' is the last recipient: add another first, or nobody could decrypt"
        case .nothingToRotate(let key, let workspace):
            return "no secret '\(key)' in workspace '\(workspace)' to rotate: create it with 'loopseal set \(key)'"
        }
    }
}

extension KitError: LoopsealError {}
