/// Renders a `docker run --env-file` file: one `KEY=value` line per entry, the value
/// written verbatim (no quoting, no escapes).
///
/// The docker CLI (docker/cli `pkg/kvfile`, formerly `opts/envfile.go`) reads the file with
/// a `bufio.Scanner`: lines end at LF, one CR before the LF is dropped, and a line longer
/// than 64 KiB (`bufio.MaxScanTokenSize`) is an error. Each line is checked to be UTF-8, a
/// BOM is removed from the first, leading white space (`unicode.IsSpace`) is trimmed, empty
/// lines and lines starting with `#` are skipped, and the rest is split at the first `=`:
/// the key must not contain space or tab, and the value is everything after the `=`,
/// trailing white space, quotes, `#`, `$` and backslashes included. Since every line starts
/// with the key, values may begin with white space or `#`; `KEY=` is an empty value.
///
/// This is not the `env_file` syntax of Docker Compose, which interprets quotes and `${}`.
///
/// Refused (naming the key):
/// - values containing LF or CR (lines end at LF, and a CR before it is dropped);
/// - values that start and end with the same quote character (`'…'` or `"…"`, two
///   characters or more): released docker keeps those quotes, but stripping them has been
///   proposed (docker/cli#3630) and at least one build does, so the file would be ambiguous;
/// - `KEY=value` lines longer than 65,535 bytes, which the scanner refuses;
/// - names that are empty or contain `=`, white space, CR or LF, or start with `#`.
enum DockerEnvFormat {
    /// Longest `KEY=value` line (without its LF) that `bufio.Scanner` accepts.
    static let maxLineBytes = 65_535

    /// Renders all entries, one line each, or throws for the first unrepresentable entry.
    static func render(_ entries: [EnvEntry]) throws(FormatError) -> String {
        let format = OutputFormat.docker.rawValue
        var output = ""
        for entry in entries {
            let value = try EntryText.value(of: entry, format: .docker)
            try validateKey(entry.key)
            let bytes = entry.value
            if bytes.contains(UInt8(ascii: "\n")) || bytes.contains(UInt8(ascii: "\r")) {
                throw .unrepresentable(
                    key: entry.key, format: format,
                    reason: "value contains a line break (LF or CR), and docker env files hold"
                        + " one variable per line; use --format json, yaml or k8s")
            }
            if let first = bytes.first, let last = bytes.last, bytes.count >= 2, first == last,
                first == UInt8(ascii: "'") || first == UInt8(ascii: "\"")
            {
                throw .unrepresentable(
                    key: entry.key, format: format,
                    reason: "value starts and ends with the same quote character, which some"
                        + " docker versions strip from env-file values")
            }
            let lineBytes = entry.key.utf8.count + 1 + bytes.count
            guard lineBytes <= maxLineBytes else {
                throw .unrepresentable(
                    key: entry.key, format: format,
                    reason: "the line would be \(lineBytes) bytes, and docker reads env-file lines"
                        + " of at most \(maxLineBytes) bytes")
            }
            output += entry.key + "=" + value + "\n"
        }
        return output
    }

    /// Throws unless `key` reads back as the key of a `KEY=value` line.
    private static func validateKey(_ key: String) throws(FormatError) {
        let broken = key.unicodeScalars.contains { scalar in
            scalar == "=" || scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F
                || (0x80...0x9F).contains(scalar.value)
        }
        guard !key.isEmpty, !key.hasPrefix("#"), !broken else {
            throw .unrepresentable(
                key: key, format: OutputFormat.docker.rawValue,
                reason: "the name is empty, starts with '#' or contains '=', white space or"
                    + " control characters, so it cannot start an env-file line")
        }
    }
}
