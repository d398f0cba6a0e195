import LoopsealDiagnostics

/// Why an edit in the editor changed nothing. Names keys and the editor, never a value.
public enum EditError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The editor could not be started.
    case editorNotStarted(editor: String, reason: String)
    /// The editor exited with a non-zero status, or was ended by a signal.
    case editorFailed(editor: String, status: Int32, signaled: Bool)
    /// The edited file could not be read back.
    case unreadable(reason: String)
    /// Secrets asked for by name that cannot be edited here, with why.
    case notEditable(keys: [String], reason: String)
    /// Secrets that changed (or appeared) in the workspace while the editor was open.
    case changedMeanwhile(keys: [String])
    /// Names added in the editor that belong to secrets not in the edit.
    case existsOutsideTheEdit(keys: [String])
    /// The edit deletes secrets and nobody confirmed it.
    case removalNotConfirmed(keys: [String])

    public var description: String {
        switch self {
        case let .editorNotStarted(editor, reason):
            return "cannot start the editor \(editor): \(reason); set $LOOPSEAL_EDITOR, $VISUAL or $EDITOR to one that works. Nothing was changed"
        case let .editorFailed(editor, status, signaled):
            let how = signaled ? "was ended by signal \(status)" : "exited with status \(status)"
            return "the editor \(editor) \(how): nothing was changed"
        case .unreadable(let reason):
            return "cannot read the edited file back (\(reason)): nothing was changed"
        case let .notEditable(keys, reason):
            return "cannot edit \(keys.joined(separator: ", ")): \(reason). Nothing was changed"
        case .changedMeanwhile(let keys):
            return "\(keys.joined(separator: ", ")) changed in the workspace while the editor was open (another command, or a git pull): nothing was changed; run the edit again"
        case .existsOutsideTheEdit(let keys):
            return "\(keys.joined(separator: ", ")) already exist(s) but were not in this edit: nothing was changed; edit them by name ('loopseal edit \(keys.joined(separator: " "))') or choose other names"
        case .removalNotConfirmed(let keys):
            return "the edit deletes \(keys.joined(separator: ", ")): nothing was changed; confirm on a terminal, or pass --yes to delete them"
        }
    }
}

extension EditError: LoopsealError {}
