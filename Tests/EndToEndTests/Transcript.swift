import Foundation

/// One transcript file (`testdata/*.txt`) split into its script lines and its files, in the
/// txtar shape testscript uses: the script comes first, then each file as a `-- NAME --` line
/// followed by its content. The dialect is described in `testdata/README.md`.
struct Transcript {
    /// One command line of the script, already split into words (expansion happens when it runs).
    struct Line {
        /// 1-based line number in the transcript file.
        var number: Int
        /// The line as written, for messages.
        var text: String
        /// `!` (must fail) or `?` (may fail), else nil.
        var prefix: Character?
        /// `[exec:git]`, `[!linux]`, …: the line runs only when every condition holds.
        var conditions: [String]
        /// The command name and its arguments, each still holding `$NAME` references.
        var words: [Word]
    }

    /// One word: pieces that are either literal (quoted) or to be expanded (unquoted).
    struct Word {
        var pieces: [(text: String, expand: Bool)]
    }

    /// A mistake in the transcript itself (not in loopseal's behaviour).
    struct SyntaxError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    var lines: [Line]
    /// File name (relative to `$WORK`) to content, in the order written.
    var files: [(name: String, content: [UInt8])]

    init(text: String) throws {
        var all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if all.last == "" { all.removeLast() }  // the piece after the final line break
        var lines: [Line] = []
        var files: [(name: String, content: [UInt8])] = []
        var current: (name: String, lines: [String])?
        for (index, raw) in all.enumerated() {
            if let name = Self.fileMarker(raw) {
                if let current { files.append((current.name, Self.content(current.lines))) }
                current = (name, [])
                continue
            }
            if current != nil {
                current?.lines.append(raw)
                continue
            }
            if let line = try Self.parse(raw, number: index + 1) { lines.append(line) }
        }
        if let current { files.append((current.name, Self.content(current.lines))) }
        self.lines = lines
        self.files = files
    }

    /// `NAME` of a `-- NAME --` line.
    private static func fileMarker(_ line: String) -> String? {
        guard line.hasPrefix("-- "), line.hasSuffix(" --"), line.count > 6 else { return nil }
        return String(line.dropFirst(3).dropLast(3)).trimmingCharacters(in: .whitespaces)
    }

    /// A file's lines joined back, each ending in a line break.
    private static func content(_ lines: [String]) -> [UInt8] {
        Array(lines.map { $0 + "\n" }.joined().utf8)
    }

    /// Splits one script line; nil for blank lines and comments.
    static func parse(_ raw: String, number: Int) throws -> Line? {
        var words: [Word] = []
        var word: [(text: String, expand: Bool)] = []
        var piece = ""
        var inWord = false
        var chars = Array(raw)[...]
        func endPiece(expand: Bool) {
            if !piece.isEmpty || !expand { word.append((piece, expand)) }
            piece = ""
        }
        func endWord() {
            endPiece(expand: true)
            if inWord { words.append(Word(pieces: word)) }
            word = []
            inWord = false
        }
        while let c = chars.popFirst() {
            switch c {
            case " ", "\t", "\r":
                endWord()
            case "#" where !inWord:
                chars = []
            case "'":
                endPiece(expand: true)
                inWord = true
                var closed = false
                while let q = chars.popFirst() {
                    if q == "'" {
                        if chars.first == "'" { chars.removeFirst(); piece.append("'"); continue }
                        closed = true
                        break
                    }
                    piece.append(q)
                }
                if !closed { throw SyntaxError(line: number, message: "unclosed quote") }
                endPiece(expand: false)
            default:
                inWord = true
                piece.append(c)
            }
        }
        endWord()
        guard !words.isEmpty else { return nil }

        var prefix: Character?
        var conditions: [String] = []
        while let first = words.first, first.pieces.count == 1, first.pieces[0].expand {
            let text = first.pieces[0].text
            if text == "!" || text == "?", prefix == nil {
                prefix = text.first
            } else if text.hasPrefix("["), text.hasSuffix("]"), text.count > 2 {
                conditions.append(String(text.dropFirst().dropLast()))
            } else {
                break
            }
            words.removeFirst()
        }
        guard !words.isEmpty else { throw SyntaxError(line: number, message: "no command after '\(raw)'") }
        return Line(number: number, text: raw.trimmingCharacters(in: .whitespaces),
                    prefix: prefix, conditions: conditions, words: words)
    }
}
