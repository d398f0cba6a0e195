import LoopsealDiagnostics

/// Why a secret could not be read from git history. No case carries a value.
public enum SecretHistoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The commit `revision` resolves to has no file for `key`.
    case absent(key: String, revision: String, commit: String, workspace: String)

    public var description: String {
        switch self {
        case .absent(let key, let revision, let commit, let workspace):
            return "no secret '\(key)' in workspace '\(workspace)' at '\(UntrustedText.display(revision))' (commit \(commit.prefix(12))): 'loopseal log \(key)' lists the commits that changed it"
        }
    }
}

extension SecretHistoryError: LoopsealError {}
