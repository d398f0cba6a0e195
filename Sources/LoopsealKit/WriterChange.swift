import LoopsealStore

/// What `writers add` or `writers rm` did.
public struct WriterChange: Sendable, Equatable {
    /// The secrets readers now refuse (not signed by a listed writer), ordered by key.
    public var refused: [String]
    /// Whether the saved `workspace.yaml` is signed, and by whom.
    public var configSigning: ConfigSigning

    /// Creates a result.
    public init(refused: [String], configSigning: ConfigSigning) {
        self.refused = refused
        self.configSigning = configSigning
    }
}
