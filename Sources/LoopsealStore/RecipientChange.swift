/// What a recipients change or rekey did.
public struct RecipientChange: Sendable, Equatable {
    /// Files re-sealed.
    public var rewritten: Int
    /// Files checked (every file that parses).
    public var checked: Int
    /// Secrets with a value that a key no longer listed could read, ordered by key: rotate them.
    public var exposed: [String]
    /// Whether `workspace.yaml` was signed as it was saved.
    public var configSigning: ConfigSigning

    /// Creates a result.
    public init(rewritten: Int, checked: Int, exposed: [String], configSigning: ConfigSigning = .notRequired) {
        self.rewritten = rewritten
        self.checked = checked
        self.exposed = exposed
        self.configSigning = configSigning
    }
}
