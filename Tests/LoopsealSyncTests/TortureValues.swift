import LoopsealSync

/// Values every format must carry exactly, shared by the round-trip tests.
enum TortureValues {
    /// File a command substitution in a value would create if a consumer executed it.
    static let commandSubstitutionMarker = "/tmp/loopseal-formats-pwned-cmdsub-7f3a"
    /// File a backtick substitution in a value would create if a consumer executed it.
    static let backtickMarker = "/tmp/loopseal-formats-pwned-backtick-7f3a"

    /// A multi-line PEM block with a trailing newline.
    static let pem = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj
        MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu
        NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ
        -----END PRIVATE KEY-----

        """

    /// A JSON document with nested quotes, escapes and unicode.
    static let json = #"{"user": "o'brien", "pass": "p\"w\\d", "list": [1, 2.5, null, true], "u": "\u00e9"}"#

    /// Every value in here must round-trip through every format.
    static let all: [String] = [
        "",
        "plain",
        "it's",
        "say \"hi\"",
        "'single' and \"double\"",
        "$VAR",
        "$HOME",
        "${VAR}",
        "${HOME:-fallback}",
        "$(touch \(commandSubstitutionMarker))",
        "`touch \(backtickMarker)`",
        "\\leading backslash",
        "mid\\dle",
        "several\\\\\\back\\\\slashes\\ here",
        "\\n is not a newline \\t \\r \\x41 \\u0041",
        "a#b",
        "a #b",
        "a\t#b",
        "#starts with hash",
        " # spaced comment",
        "a = b",
        " = ",
        "=",
        "  leading spaces",
        "trailing spaces  ",
        "  both  ",
        "\ttab\tinside\t",
        "line1\nline2",
        "\n",
        "\n\nleading and trailing newlines\n\n",
        "crlf\r\nline\r\n",
        "lone\rcr",
        "\r",
        "\r \\ ' \" mix",
        pem,
        json,
        "emoji 🔐🙂👩‍👩‍👧 flag 🇳🇴",
        "CJK 秘密の鍵 한국어",
        "combining e\u{301} a\u{308}\u{323} \u{301}leading mark",
        "sep\u{2028}line\u{2029}para",
        "\u{2028}",
        "nbsp\u{A0}x\u{A0}",
        "nel\u{85}x\u{85}",
        "\u{FEFF}bom first",
        "del\u{7F} bell\u{07} esc\u{1B} vt\u{0B} ff\u{0C} bs\u{08} c1\u{9B}\u{80}",
        "noncharacters " + scalars(0xFFFE, 0xFFFF, 0xFDD0, 0x1FFFE),
        "astral \u{1D11E} \u{10FFFD}",
        "'\\''",
        "\\'",
        "\\\"",
        "'",
        "\"",
        "''",
        "ends with quote'",
        "ends with dquote\"",
        "export FOO=bar",
        "!history !! !$",
        "; rm -rf / # && || | > <",
        "Y", "ON", "null", "~", "- item", "key: value", "{a: 1}", "[1, 2]",
        "&anchor *alias", "!!binary", "%YAML", "---", "...", "? q", "0x1F", "1e3", "+1", "0o17",
        "@handle", "|", ">",
        String(repeating: "0123456789abcdef", count: 640),
        // Values ending in a backslash that dotenv can still carry unquoted.
        "\\",
        "C:\\dir\\",
        "a b\\",
        "x\\\\",
        "#\\",
        "=\\",
        "quote'in\"middle\\",
        "trailing space before \\",
    ]

    /// Values ending in a backslash that dotenv must refuse; every other format carries them.
    static let dotenvRejected: [String] = [
        " leading space\\",
        "\tleading tab\\",
        "\u{A0}leading nbsp\\",
        "a #b\\",
        "x\u{2028}#\\",
        "'starts with quote\\",
        "\"starts with dquote\\",
        "multi\nline\\",
        "cr\r\\",
    ]

    /// A string made of the given scalars (Swift literals refuse noncharacters).
    static func scalars(_ values: UInt32...) -> String {
        var text = ""
        for value in values { text.unicodeScalars.append(Unicode.Scalar(value)!) }
        return text
    }

    /// Entries `VAL_0`, `VAL_1`, ... for `values`, in order.
    static func entries(_ values: [String], prefix: String = "VAL_") -> [EnvEntry] {
        values.enumerated().map { index, value in
            EnvEntry(key: "\(prefix)\(index)", value: Array(value.utf8))
        }
    }
}
