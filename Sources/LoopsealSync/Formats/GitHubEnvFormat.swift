/// Renders entries for a GitHub Actions `$GITHUB_ENV` file, every value in heredoc form:
///
///     KEY<<ghadelimiter_0123456789abcdef0123456789abcdef
///     value lines
///     ghadelimiter_0123456789abcdef0123456789abcdef
///
/// The runner (actions/runner `SetEnvFileCommand`) takes the value as the text between the
/// `KEY<<DELIM` line and the first line equal to `DELIM`, minus the one line break before
/// that line. Lines end at LF; a Windows runner also ends a line at CRLF. Line breaks inside
/// the value are kept as they are, so a value is written as `value + "\n" + DELIM + "\n"`
/// and reads back exactly, including values that end in "\n" or hold CR, CRLF or empty lines.
///
/// Each entry gets a fresh delimiter, `ghadelimiter_` + 32 random hex digits from
/// `SystemRandomNumberGenerator`, redrawn while it occurs anywhere in the value.
///
/// Refused (naming the key):
/// - a value ending in CR: a Windows runner would take that CR and the LF after it as the
///   line break before the delimiter and drop it;
/// - `NODE_OPTIONS` (any case), which the runner refuses, and names starting with `GITHUB_`
///   or `RUNNER_` (any case), which GitHub documents as not overwritable;
/// - a name that is empty or contains `=`, `<`, CR or LF, which would break the line.
enum GitHubEnvFormat {
    /// Fixed start of every delimiter, as GitHub's own toolkit writes it.
    static let delimiterPrefix = "ghadelimiter_"
    /// Names the runner refuses to set from `$GITHUB_ENV` (compared upper-cased).
    static let refusedNames: Set<String> = ["NODE_OPTIONS"]
    /// Name prefixes GitHub documents as not overwritable (compared upper-cased).
    static let refusedPrefixes = ["GITHUB_", "RUNNER_"]

    /// Renders all entries with delimiters drawn from the system generator.
    static func render(_ entries: [EnvEntry]) throws(FormatError) -> String {
        var generator = SystemRandomNumberGenerator()
        return try render(entries, using: &generator)
    }

    /// Renders all entries, drawing delimiters from `generator`, or throws for the first
    /// unrepresentable entry.
    static func render<Generator: RandomNumberGenerator>(
        _ entries: [EnvEntry], using generator: inout Generator
    ) throws(FormatError) -> String {
        var output = ""
        for entry in entries {
            let value = try EntryText.value(of: entry, format: .githubEnv)
            try validateKey(entry.key)
            guard value.utf8.last != UInt8(ascii: "\r") else {
                throw .unrepresentable(
                    key: entry.key, format: OutputFormat.githubEnv.rawValue,
                    reason: "value ends with a carriage return, which a Windows runner reads as"
                        + " part of the line break before the delimiter and drops")
            }
            var delimiter = randomDelimiter(using: &generator)
            while occurs(delimiter, in: entry.value) {
                delimiter = randomDelimiter(using: &generator)
            }
            output += entry.key + "<<" + delimiter + "\n" + value + "\n" + delimiter + "\n"
        }
        return output
    }

    /// `ghadelimiter_` followed by 32 lower-case hex digits (128 random bits).
    static func randomDelimiter<Generator: RandomNumberGenerator>(
        using generator: inout Generator
    ) -> String {
        var delimiter = delimiterPrefix
        for _ in 0..<2 {
            let digits = String(generator.next() as UInt64, radix: 16)
            delimiter += String(repeating: "0", count: 16 - digits.count) + digits
        }
        return delimiter
    }

    /// Whether the UTF-8 bytes of `needle` occur anywhere in `haystack` (compared byte by
    /// byte, as the runner compares lines ordinally).
    static func occurs(_ needle: String, in haystack: [UInt8]) -> Bool {
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, haystack.count >= pattern.count else { return pattern.isEmpty }
        for start in 0...(haystack.count - pattern.count)
        where haystack[start] == pattern[0] && haystack[start..<start + pattern.count].elementsEqual(pattern) {
            return true
        }
        return false
    }

    /// Throws unless `key` fits on a `KEY<<DELIM` line and the runner will set it.
    private static func validateKey(_ key: String) throws(FormatError) {
        let format = OutputFormat.githubEnv.rawValue
        guard !key.isEmpty, !key.unicodeScalars.contains(where: { "=<\r\n".unicodeScalars.contains($0) })
        else {
            throw .unrepresentable(
                key: key, format: format,
                reason: "the name is empty or contains '=', '<', CR or LF, which would break the line")
        }
        let upper = key.uppercased()
        if refusedNames.contains(upper) {
            throw .unrepresentable(
                key: key, format: format,
                reason: "the GitHub runner refuses to set this variable from $GITHUB_ENV")
        }
        if let prefix = refusedPrefixes.first(where: { upper.hasPrefix($0) }) {
            throw .unrepresentable(
                key: key, format: format,
                reason: "GitHub does not let $GITHUB_ENV overwrite \(prefix)* variables")
        }
    }
}
