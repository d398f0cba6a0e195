import ArgumentParser
import LoopsealDiagnostics
import LoopsealGit
import LoopsealKit
import LoopsealStore
import LoopsealValue

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show the history of KEY from git, newest first (never values).",
        discussion: """
            One line per commit that changed the secret's file: commit, date, author, what happened \
            (created, value changed, re-sealed only with the recipients added and removed, value or \
            sealing changed, declared, deleted, unreadable) and the writer who signed it. With an \
            identity that opens both versions, a new ciphertext is "value changed" or "re-sealed only" \
            from the values themselves; without one it is "value or sealing changed". A change made on \
            a merged branch is listed as its branch commit. 'loopseal get KEY --at COMMIT' prints an old value.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var identities: IdentityOptions
    @Argument(help: "The secret's name.") var key: String
    @Option(name: .customShort("n"), help: ArgumentHelp("Show at most N commits.", valueName: "N")) var count: Int?
    @Flag(help: "Print JSON: [{\"commit\", \"date\", \"author\", \"writer\", \"kind\", \"recipientsAdded\", \"recipientsRemoved\", \"problem\"}].")
    var json = false

    func validate() throws {
        if let count, count < 1 { throw ValidationError("-n must be at least 1, got \(count)") }
    }

    func run() throws {
        try Names.checkKey(key)
        let entries = try SecretHistory.entries(of: key, in: try workspace.resolve(), identities: try identities.loadIfAny(),
                                                git: GitRunner(), limit: count)
        if entries.isEmpty { Terminal.warn("loopseal: no commit changed the file of \(key): it is not committed yet, or the name is wrong") }
        for entry in entries { if let problem = entry.problem { Terminal.warn("loopseal: problem: \(UntrustedText.display(problem, limit: 500))") } }
        Terminal.print(json ? Self.json(entries) : Self.lines(entries))
    }

    /// `HASH  DATE  AUTHOR  KIND  signed by WRITER`, authors padded to the longest.
    private static func lines(_ entries: [SecretHistoryEntry]) -> String {
        let authors = entries.map { UntrustedText.display($0.author, limit: 60) }
        let width = authors.map(\.count).max() ?? 0
        var out = ""
        for (entry, author) in zip(entries, authors) {
            out += "\(entry.commit.prefix(12))  \(UntrustedText.display(entry.date, limit: 40))  "
            out += author + String(repeating: " ", count: width - author.count) + "  " + kind(entry)
            if let writer = entry.writer { out += "  signed by \(writer)" }
            if entry.problem != nil { out += "  (problem: see above)" }
            out += "\n"
        }
        return out
    }

    /// The kind, with recipient changes: `re-sealed only (+carol −bob)`.
    private static func kind(_ entry: SecretHistoryEntry) -> String {
        let changes = entry.recipientsAdded.map { "+\($0)" } + entry.recipientsRemoved.map { "−\($0)" }
        return entry.kind.text + (changes.isEmpty ? "" : " (\(changes.joined(separator: " ")))")
    }

    /// The entries as a JSON array with stable field names; `writer` and `problem` are null when absent.
    private static func json(_ entries: [SecretHistoryEntry]) -> String {
        TemplateValue.list(entries.map { entry in
            .dictionary([
                ("commit", .string(entry.commit)),
                ("date", .string(entry.date)),
                ("author", .string(entry.author)),
                ("writer", entry.writer.map(TemplateValue.string) ?? .null),
                ("kind", .string(entry.kind.rawValue)),
                ("recipientsAdded", .list(entry.recipientsAdded.map(TemplateValue.string))),
                ("recipientsRemoved", .list(entry.recipientsRemoved.map(TemplateValue.string))),
                ("problem", entry.problem.map(TemplateValue.string) ?? .null),
            ])
        }).jsonText() + "\n"
    }
}
