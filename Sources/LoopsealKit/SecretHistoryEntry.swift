/// One commit in the history of a secret: who, when, and what happened to the file. Never a
/// value. Commit, date and author come from the repository and may be hostile text: show them
/// through `UntrustedText` on a terminal.
public struct SecretHistoryEntry: Sendable, Equatable {
    /// The full commit hash.
    public var commit: String
    /// The author date, strict ISO 8601.
    public var date: String
    /// `name <email>` of the commit's author.
    public var author: String
    /// Who signed this version, only when the signature verifies over the file's content: the
    /// writer's name in that commit's `workspace.yaml`, or the shortened key marked "not a
    /// listed writer"; nil when the file is unsigned, absent or its signature does not verify.
    public var writer: String?
    /// What happened.
    public var kind: SecretHistoryKind
    /// Recipients this version is sealed to and the previous one was not (names where known).
    public var recipientsAdded: [String]
    /// Recipients the previous version was sealed to and this one is not.
    public var recipientsRemoved: [String]
    /// Why this version cannot be trusted or read: it does not parse, or its writer signature
    /// does not hold against that commit's `writers:`. Nil when all is well.
    public var problem: String?

    /// Creates an entry.
    public init(commit: String, date: String, author: String, writer: String?, kind: SecretHistoryKind,
                recipientsAdded: [String] = [], recipientsRemoved: [String] = [], problem: String? = nil) {
        self.commit = commit
        self.date = date
        self.author = author
        self.writer = writer
        self.kind = kind
        self.recipientsAdded = recipientsAdded
        self.recipientsRemoved = recipientsRemoved
        self.problem = problem
    }
}
