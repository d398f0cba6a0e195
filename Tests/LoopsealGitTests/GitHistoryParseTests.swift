import Testing
@testable import LoopsealGit

/// `git log` output is read as hostile input: only the exact record shape is accepted.
struct GitHistoryParseTests {
    private let hash = String(repeating: "a", count: 40)
    private let parent = String(repeating: "b", count: 64)

    @Test("records of hash and parents, date, name and e-mail, each ended by NUL")
    func wellFormed() throws {
        let bytes = Array("\(hash) \(parent)\u{0}2024-05-01T10:00:00+02:00\u{0}Ann\u{1b}[31m\u{0}ann@example.com\u{0}\(parent) \u{0}d\u{0}Bob\u{0}b@x\u{0}".utf8)
        let commits = try GitHistory.parseLog(bytes)
        #expect(commits == [
            GitCommit(hash: hash, parents: [parent], date: "2024-05-01T10:00:00+02:00", authorName: "Ann\u{1b}[31m", authorEmail: "ann@example.com"),
            GitCommit(hash: parent, parents: [], date: "d", authorName: "Bob", authorEmail: "b@x"),
        ])
        #expect(commits[0].author == "Ann\u{1b}[31m <ann@example.com>")
        #expect(try GitHistory.parseLog([]).isEmpty)
    }

    @Test("a missing field, a hash that is not hexadecimal, or an abbreviated hash is refused")
    func malformed() {
        let cases = [
            "\(hash)\u{0}date\u{0}name\u{0}",
            "\(hash.uppercased())\u{0}d\u{0}n\u{0}e\u{0}",
            "\(hash.prefix(12))\u{0}d\u{0}n\u{0}e\u{0}",
            "\(hash) not-a-parent\u{0}d\u{0}n\u{0}e\u{0}",
            "gpg: Signature made\n\(hash)\u{0}d\u{0}n\u{0}e\u{0}",
        ]
        for text in cases {
            #expect(throws: GitHistoryError.unexpectedOutput(command: "log"), "\(text)") { try GitHistory.parseLog(Array(text.utf8)) }
        }
    }
}
