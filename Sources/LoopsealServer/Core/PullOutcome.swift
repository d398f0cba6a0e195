/// What one pull of the remote did (``Replica``).
public enum PullOutcome: Sendable, Equatable {
    /// The clone already was at the remote's tip.
    case upToDate
    /// The clone moved to the remote's tip (the sha).
    case advanced(String)
    /// A file the remote changed is being written here: the clone waits for the next pull.
    case waiting
    /// The clone has commits the remote lacks (someone rewrote the remote, or committed in the
    /// clone by hand): nothing is done; the log says what to do.
    case diverged
    /// The remote could not be fetched; what git said.
    case unreachable(String)
}
