import Foundation
import LoopsealCrypto
import LoopsealStore
import LoopsealSync
import Testing

/// `DotenvParser` reads what python-dotenv's `dotenv_values(path, interpolate=False)` reads, and
/// refuses the whole file wherever python-dotenv flags a statement (or gives a name no value).
@Suite struct DotenvParserTests {
    /// Small files, each named by the behaviour it pins down.
    static let cases: [(name: String, text: String)] = [
        ("plain", "A=1\n"),
        ("no final newline", "A=1"),
        ("export prefix", "export A=1\n"),
        ("export with blanks around equals", "export  A = 1 \n"),
        ("export as a name", "export=1\n"),
        ("single quotes", "A='single'\n"),
        ("double quotes", "A=\"double\"\n"),
        ("single quote escape", "A='it\\'s'\n"),
        ("single quote backslash escape", "A='a\\\\b'\n"),
        ("single quotes keep other escapes", "A='a\\nb\\t'\n"),
        ("double quote escapes", "A=\"say \\\"hi\\\" \\\\ \\' \\a\\b\\f\\n\\r\\t\\v\"\n"),
        ("double quotes keep unknown escapes", "A=\"\\x41\\u0041\\N\\$\\0\"\n"),
        ("multi-line double quotes", "A=\"line1\nline2\"\nB=2\n"),
        ("multi-line single quotes", "A='line1\n  line2\n'\nB=2\n"),
        ("dollar braces literal", "A=${HOME}/x\nB=\"${HOME}\"\nC='$X $(ls)'\n"),
        ("inline comment", "A=value # comment\n"),
        ("hash without space", "A=value#not-a-comment\n"),
        ("tab before hash", "A=value\t#comment\n"),
        ("hash right after equals", "A= # not a comment\nB=#x\n"),
        ("comment after quotes", "A='quoted' # comment\nB=\"q\"#c\n"),
        ("hash inside quotes", "A='a # b'\nB=\"c #d\"\n"),
        ("comment lines", "# comment\nA=1\n  # indented\n#B=2\n"),
        ("blank lines", "\n\n  \nA=1\n\n\t\n"),
        ("crlf", "A=1\r\nB='x'\r\nC=\"multi\r\nline\"\r\n"),
        ("lone cr", "A=1\rB=2\r"),
        ("empty values", "A=\nB=''\nC=\"\"\nD="),
        ("duplicates keep first place and last value", "A=1\nB=2\nA=3\n"),
        ("spaces around unquoted value", "A=  spaced value  \n"),
        ("tabs in unquoted value", "A=\tx\ty\t\n"),
        ("leading blanks", "  A=1\n\tB=2\n"),
        ("vertical tab between statements", "A=1\n\u{0B}B=2\n"),
        ("quoted name", "'A'=1\n"),
        ("trailing backslash unquoted", "A=a\\\nB=2\n"),
        ("escaped quote then no closing quote ends at the last one", "A=\"a\\\\\"\nB=1\n"),
        ("single escaped quote then no closing quote", "A='a\\'\nB=1\n"),
        ("backslash pair before closing single quote", "A='\\\\'\n"),
        ("escaped quote spans to the next statement", "A='a'\nB='b\\'\nC=c\n"),
        ("unicode", "A=héllo wörld ✓\n"),
        ("no-break space before hash cuts", "A=x\u{A0}#y\n"),
        ("line separator is white space", "A=x \u{2028}# y\n"),
        ("pem", "PEM=\"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nabc+/==\n-----END PRIVATE KEY-----\"\n"),
        ("json values", "A={\"k\": \"v\", \"n\": 1}\nB='{\"k\": \"v\"}'\n"),
        ("blanks after closing quote", "A=\"x\" \t\n"),
        ("nul byte", "A=x\u{0}y\n"),
        // Refused: python-dotenv flags these, or gives no value, or the name is not a variable name.
        ("unterminated single quote", "A='unterminated\nB=1\n"),
        ("unterminated double quote", "A=\"unterminated\n"),
        ("escaped quote swallows the next opening quote", "A=\"a\\\\\"\nB=\"x\"\n"),
        ("missing name", "=value\n"),
        ("two words before equals", "A B=1\n"),
        ("name without equals", "A\n"),
        ("name without equals and a comment", "A # comment\n"),
        ("export without equals", "export A\n"),
        ("export alone", "export\n"),
        ("quoted name with a space", "'A B'=1\n"),
        ("dotted name", "a.b=1\n"),
        ("text after closing quote", "A='x' junk\n"),
        ("text right after closing quote", "A=\"x\"y\n"),
        ("byte order mark", "\u{FEFF}A=1\n"),
        ("empty quoted name", "''=1\n"),
        ("unquoted pem body", "PEM=-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"),
        ("bad line after good ones", "A=1\nB=2\nnot a statement\n"),
    ]

    @Test(.enabled(if: PythonDotenv.available, PythonDotenv.missing))
    func everyCaseReadsAsPythonDotenvReadsIt() throws {
        try Self.compare(Self.cases.map { ($0.name, Array($0.text.utf8)) })
    }

    @Test(.enabled(if: PythonDotenv.available, PythonDotenv.missing))
    func invalidUTF8IsRefusedAsPythonRefusesIt() throws {
        try Self.compare([("invalid utf-8", [0x41, 0x3D, 0x31, 0x0A, 0x42, 0x3D, 0xFF, 0x0A]),
                          ("surrogate", [0x41, 0x3D, 0xED, 0xA0, 0x80, 0x0A])])
    }

    /// Random files built from the fragments the rules turn on: any difference is a bug.
    @Test(.enabled(if: PythonDotenv.available, PythonDotenv.missing))
    func randomFilesReadAsPythonDotenvReadsThem() throws {
        let fragments = ["A", "B_1", "export ", "=", "= ", " ", "\t", "'", "\"", "\\", "\\'", "\\\"", "\\n", "#", " #",
                         "\n", "\r\n", "\r", "x", "${Y}", "$", "é", "\u{A0}", "\u{2028}", "\u{0B}", "'A'"]
        var generator = SeededGenerator(seed: 0x5eed_d07e)
        func noise(_ count: ClosedRange<Int>) -> String {
            (0..<Int.random(in: count, using: &generator)).map { _ in fragments.randomElement(using: &generator) ?? "" }.joined()
        }
        // Half free-form, half statement-shaped (NAME=noise lines), which python-dotenv reads more often.
        let files: [(String, [UInt8])] = (0..<1500).map { index in
            let text = index % 2 == 0 ? noise(0...14) : (0..<3).map { line in "K\(line)=" + noise(0...6) + "\n" }.joined()
            return ("random #\(index): \(String(reflecting: text))", Array(text.utf8))
        }
        try Self.compare(files)
    }

    @Test func errorsNameTheLineAndColumnAndNeverTheText() throws {
        let canary = "CANARY_4f1d"
        let text = "A=1\n\n\(canary)_PEM_BODY\nB='\(canary)'\n"
        let error = try #require(throws: DotenvSyntaxError.self) { try DotenvParser.parse(Array(text.utf8), fileName: ".env") }
        #expect((error.line, error.column) == (3, 1))
        #expect(error.description.hasPrefix(".env:3:1: a name without '='"))
        #expect(!error.description.contains(canary))

        let junk = try #require(throws: DotenvSyntaxError.self) {
            try DotenvParser.parse(Array("A=1\nB='\(canary)' \(canary)\n".utf8), fileName: "in.env")
        }
        #expect((junk.line, junk.column) == (2, 17))
        #expect(!junk.description.contains(canary))

        let open = try #require(throws: DotenvSyntaxError.self) {
            try DotenvParser.parse(Array("A=1\n  B=\"\(canary)\n".utf8), fileName: "in.env")
        }
        #expect((open.line, open.column) == (2, 5))
        #expect(open.message.contains("no closing quote"))
        #expect(!open.description.contains(canary))

        let utf8 = try #require(throws: DotenvSyntaxError.self) {
            try DotenvParser.parse([0x41, 0x3D, 0x0A, 0x42, 0x3D, 0x78, 0xC3, 0x28, 0x0A], fileName: "in.env")
        }
        #expect((utf8.line, utf8.column) == (2, 4))
    }

    @Test func whatTheDotenvWriterWritesReadsBackExactly() throws {
        let entries = TortureValues.entries(TortureValues.all)
        let parsed = try DotenvParser.parse(Array(try OutputFormat.dotenv.render(entries).utf8), fileName: "export")
        #expect(parsed.map(\.key) == entries.map(\.key))
        #expect(parsed.map { $0.value.withUnsafeBytes { Array($0) } } == entries.map(\.value))
    }

    // MARK: Comparison

    /// Runs python-dotenv and the parser on every file: equal values where python-dotenv reads
    /// the file cleanly, a ``DotenvSyntaxError`` where it flags a statement, gives a name no
    /// value, cannot decode the file or reads a name that is not a variable name.
    static func compare(_ files: [(name: String, bytes: [UInt8])]) throws {
        let readings = try PythonDotenv.read(files.map(\.bytes))
        try #require(readings.count == files.count)
        for ((name, bytes), reading) in zip(files, readings) {
            let refuses = reading.flagged || reading.undecodable
                || reading.pairs.contains { $0.value == nil || !Names.isValidKey($0.key) }
            do {
                let parsed = try DotenvParser.parse(bytes, fileName: "case.env")
                #expect(!refuses, "\(name): python-dotenv flags or cannot use it, but the parser read it")
                let ours = parsed.map { ($0.key, String(decoding: $0.value.withUnsafeBytes { Array($0) }, as: UTF8.self)) }
                let theirs = reading.pairs.map { ($0.key, $0.value ?? "<None>") }
                #expect(ours.map(\.0) == theirs.map(\.0), "\(name): names differ")
                #expect(ours.map(\.1) == theirs.map(\.1), "\(name): values differ")
            } catch let error as DotenvSyntaxError {
                #expect(refuses, "\(name): refused (\(error)) but python-dotenv reads \(reading.pairs)")
            }
        }
    }
}

/// A small deterministic generator (SplitMix64), so a failing random case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
