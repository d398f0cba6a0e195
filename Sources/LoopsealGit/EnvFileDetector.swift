import Foundation
import LoopsealStore

/// Recognises plaintext `.env`-style files, by name and by content.
///
/// - By name: `.env`, `.env.*` and `*.env` are plaintext secrets and are refused. The templates
///   `.env.example`, `.env.sample` and `.env.template` (also `x.env.example`, …) are allowed when
///   every variable whose name suggests a secret is empty or a placeholder, and no URL carries a
///   real password.
/// - By content: any other text file whose meaningful lines (not blank, not `#` comments, not
///   marked `loopseal:allow`) are mostly `KEY=value` (an upper-case variable name, optional
///   `export `, no space before `=`) with a real value: at least two such lines and more than
///   half of the meaningful ones.
public enum EnvFileDetector {
    /// How a path is treated by name.
    public enum Kind: Sendable, Equatable {
        /// `.env`, `.env.production`, `app.env`: plaintext secrets.
        case env
        /// `.env.example`, `.env.sample`, `.env.template`: allowed without real values.
        case template
        /// Anything else: judged by content.
        case other
    }

    /// One `KEY=value` line.
    public struct Assignment: Sendable, Equatable {
        /// 1-based line number.
        public var line: Int
        /// The variable name.
        public var key: String
        /// The value with surrounding quotes and an unquoted trailing comment removed.
        public var value: String
    }

    static let templateSuffixes = [".example", ".sample", ".template"]

    /// The kind of `path` (only its last component matters).
    public static func kind(ofPath path: String) -> Kind {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        for suffix in templateSuffixes where name.hasSuffix(suffix) {
            if isEnvName(String(name.dropLast(suffix.count))) { return .template }
        }
        return isEnvName(name) ? .env : .other
    }

    private static func isEnvName(_ name: String) -> Bool {
        name == ".env" || name.hasPrefix(".env.") || (name.hasSuffix(".env") && name.count > 4)
    }

    /// Parses `KEY=value` / `export KEY=value` with an upper-case `KEY`; nil for anything else.
    public static func assignment(_ rawLine: Substring, line: Int) -> Assignment? {
        var text = rawLine.drop { $0 == " " || $0 == "\t" }
        if text.hasPrefix("export ") { text = text.dropFirst(7).drop { $0 == " " } }
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let key = text[..<equals]
        guard let first = key.first, first == "_" || ("A"..."Z").contains(first),
              key.allSatisfy({ $0 == "_" || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }) else { return nil }
        return Assignment(line: line, key: String(key), value: unquote(text[text.index(after: equals)...]))
    }

    private static func unquote(_ raw: Substring) -> String {
        let value = raw.trimmingSpaces
        if let quote = value.first, quote == "\"" || quote == "'" {
            let rest = value.dropFirst()
            if let close = rest.firstIndex(of: quote) { return String(rest[..<close]) }
            return String(rest)
        }
        if let hash = value.range(of: " #") { return String(value[..<hash.lowerBound]).trimmingSpaces }
        return value
    }

    /// Every assignment in `text`, skipping lines marked ``TokenDetector/allowMarker``.
    public static func assignments(in text: String) -> (assignments: [Assignment], meaningfulLines: Int) {
        var result: [Assignment] = []
        var meaningful = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.contains(TokenDetector.allowMarker) { continue }
            meaningful += 1
            if let assignment = assignment(line, line: index + 1) { result.append(assignment) }
        }
        return (result, meaningful)
    }

    /// For a file of kind ``Kind/other``: the number of `KEY=value` lines with a real value and
    /// of meaningful lines, when the file is mostly such lines; nil otherwise.
    public static func envLikeContent(_ text: String) -> (assignments: Int, lines: Int)? {
        let (found, meaningful) = assignments(in: text)
        let valued = found.filter { !$0.value.isEmpty && !isPlaceholder($0.value) }.count
        guard valued >= 2, valued * 2 > meaningful else { return nil }
        return (valued, meaningful)
    }

    /// For a template: the assignments that hold what looks like a real secret (a value that is
    /// not a placeholder under a secret-sounding name, or a URL with a real password).
    public static func templateProblems(_ text: String) -> [Assignment] {
        assignments(in: text).assignments.filter { item in
            guard !item.value.isEmpty, !isPlaceholder(item.value) else { return false }
            return namesSecret(item.key) || urlHasPassword(item.value)
        }
    }

    static let placeholderWords = ["example", "changeme", "change-me", "change_me", "replace", "your", "placeholder",
                                   "dummy", "todo", "fixme", "xxx", "redacted", "secret-here", "not-set", "notset"]

    /// Empty, `<…>`, `${…}`/`$VAR`, `{{…}}`, one character repeated 3+ times (`xxxx`, `***`), or a
    /// value saying it is one (`changeme`, `your-api-key`, `example`, …).
    public static func isPlaceholder(_ value: String) -> Bool {
        let text = value.trimmingSpaces
        if text.isEmpty { return true }
        if (text.hasPrefix("<") && text.hasSuffix(">")) || (text.hasPrefix("{{") && text.hasSuffix("}}")) { return true }
        if text.hasPrefix("$") { return true }
        if text.count >= 3, let first = text.first, text.allSatisfy({ $0 == first }) { return true }
        let lowered = text.lowercased()
        return placeholderWords.contains { lowered.contains($0) }
    }

    static let secretNameParts = ["SECRET", "TOKEN", "PASSWORD", "PASSWD", "PASS", "PWD", "KEY", "PRIVATE",
                                  "CREDENTIAL", "CREDENTIALS", "AUTH", "SALT", "SIGNING", "DSN", "CERT", "APIKEY"]

    /// True when a variable name suggests a secret: one of its `_`-separated parts is `KEY`,
    /// `TOKEN`, `PASSWORD`, `SECRET`, … (`PORT` and `LOG_LEVEL` do not).
    public static func namesSecret(_ key: String) -> Bool {
        let parts = key.uppercased().split(separator: "_").map(String.init)
        return parts.contains { part in
            secretNameParts.contains(part) || ["SECRET", "TOKEN", "PASSWORD", "APIKEY"].contains { part.hasSuffix($0) }
        }
    }

    /// `scheme://user:password@host` with a password that is not a placeholder.
    public static func urlHasPassword(_ value: String) -> Bool {
        guard let scheme = value.range(of: "://") else { return false }
        let rest = value[scheme.upperBound...]
        guard let at = rest.firstIndex(of: "@") else { return false }
        let userInfo = rest[..<at]
        guard !userInfo.contains("/"), let colon = userInfo.firstIndex(of: ":") else { return false }
        let password = String(userInfo[userInfo.index(after: colon)...])
        return !password.isEmpty && !isPlaceholder(password) && !["pass", "password", "pw", "pwd", "secret"].contains(password.lowercased())
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" || first == "\r" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
        return String(text)
    }
}
