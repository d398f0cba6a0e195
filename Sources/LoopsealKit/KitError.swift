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
    /// A new key file would overwrite an existing file.
    case keyFileExists(path: String)
    /// The agent's identity file does not exist.
    case noIdentityFile(path: String)
    /// The agent's identity file holds no identity.
    case noIdentityInFile(path: String)
    /// A writer's public key does not parse.
    case invalidWriterKey(name: String, problem: String)
    /// Removing this writer would leave no key whose signatures readers accept.
    case lastWriter(name: String)

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
        case .keyFileExists(let path):
            return "\(path) already exists: choose another file or remove it first"
        case .noIdentityFile(let path):
            return "no identity file at \(path): create one with 'loopseal keygen -o \(path)'"
        case .noIdentityInFile(let path):
            return "\(path) holds no AGE-SECRET-KEY-1… line"
        case .invalidWriterKey(let name, let problem):
            return "writer '\(name)': \(problem)"
        case .lastWriter(let name):
            return "'\(name)' is the last writer: add another first, or delete 'writers:' from workspace.yaml to stop requiring signatures"
        }
    }
}

extension KitError: LoopsealError {}
