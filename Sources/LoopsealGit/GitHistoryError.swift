import LoopsealDiagnostics

/// Why a file's history could not be read from git. No case carries file content.
public enum GitHistoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `directory` is not inside a git working tree.
    case notARepository(directory: String)
    /// `revision` names no commit of the repository.
    case unknownRevision(String)
    /// git answered in a shape this reader does not know.
    case unexpectedOutput(command: String)

    public var description: String {
        switch self {
        case .notARepository(let directory):
            return "\(directory) is not in a git repository: history comes from git ('git init', or run loopseal in a clone)"
        case .unknownRevision(let revision):
            return "unknown revision '\(UntrustedText.display(revision))': give a commit git knows (a hash, a branch, a tag, HEAD~2)"
        case .unexpectedOutput(let command):
            return "git \(command) answered in an unexpected shape: is git too old or configured oddly?"
        }
    }
}

extension GitHistoryError: LoopsealError {}
