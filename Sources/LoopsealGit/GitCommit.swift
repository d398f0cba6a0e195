/// One commit as `git log` lists it for a file's history. Every field comes from the
/// repository and may be hostile: show them through `UntrustedText` on a terminal.
public struct GitCommit: Sendable, Equatable {
    /// The full commit hash (40 or 64 hexadecimal characters).
    public var hash: String
    /// The parents' hashes, first parent first; empty for a root commit.
    public var parents: [String]
    /// The author date in strict ISO 8601 (`2024-05-01T12:30:00+02:00`).
    public var date: String
    /// The author's name.
    public var authorName: String
    /// The author's e-mail address.
    public var authorEmail: String

    /// Creates a commit record.
    public init(hash: String, parents: [String], date: String, authorName: String, authorEmail: String) {
        self.hash = hash
        self.parents = parents
        self.date = date
        self.authorName = authorName
        self.authorEmail = authorEmail
    }

    /// `name <email>`.
    public var author: String { "\(authorName) <\(authorEmail)>" }

    /// The first 12 characters of the hash.
    public var shortHash: String { String(hash.prefix(12)) }

    /// True for a full hexadecimal object name (SHA-1 or SHA-256).
    static func isObjectName(_ text: Substring) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64) && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
