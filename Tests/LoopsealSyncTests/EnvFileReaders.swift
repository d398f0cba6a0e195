/// Test-only readers that implement the consumers' documented parsing rules, for formats
/// whose real consumer cannot run here (the GitHub runner) or as a cross-check (docker).
struct ReaderFailure: Error, CustomStringConvertible {
    var description: String
}

/// actions/runner `SetEnvFileCommand.ProcessCommand` for `$GITHUB_ENV`.
///
/// Lines end at LF (and, when `windows`, also at CRLF, the runner's `#if OS_WINDOWS`). A
/// non-empty line whose first `=` comes before any `<<` is `NAME=VALUE`; one whose `<<`
/// comes first is `NAME<<DELIM`, and the value is the text from the next line up to (not
/// including) the line break before the first line equal to DELIM, line breaks kept as-is.
enum GitHubEnvReader {
    static func read(_ text: String, windows: Bool) throws -> [(key: String, value: [UInt8])] {
        let bytes = Array(text.utf8)
        var index = 0
        var pairs: [(key: String, value: [UInt8])] = []
        while let (line, _) = readLine(bytes, &index, windows: windows) {
            if line.isEmpty { continue }
            let equals = find([UInt8(ascii: "=")], in: line)
            let heredoc = find(Array("<<".utf8), in: line)
            if let equals, heredoc.map({ equals < $0 }) ?? true {
                pairs.append((string(line[..<equals]), Array(line[(equals + 1)...])))
            } else if let heredoc {
                let name = line[..<heredoc]
                let delimiter = Array(line[(heredoc + 2)...])
                guard !name.isEmpty, !delimiter.isEmpty else {
                    throw ReaderFailure(description: "empty name or delimiter")
                }
                let start = index
                var end = index
                while true {
                    guard let (next, newline) = readLine(bytes, &index, windows: windows) else {
                        throw ReaderFailure(description: "matching delimiter not found")
                    }
                    if Array(next) == delimiter { break }
                    guard let newline else {
                        throw ReaderFailure(description: "EOF marker missing new line")
                    }
                    end = index - newline
                }
                pairs.append((string(name), end > start ? Array(bytes[start..<end]) : []))
            } else {
                throw ReaderFailure(description: "invalid environment variable format")
            }
        }
        return pairs
    }

    /// The runner's `ReadLine`: the line and the length of its line break (nil at EOF).
    private static func readLine(
        _ bytes: [UInt8], _ index: inout Int, windows: Bool
    ) -> (line: ArraySlice<UInt8>, newline: Int?)? {
        guard index < bytes.count else { return nil }
        let start = index
        guard let lf = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            index = bytes.count
            return (bytes[start...], nil)
        }
        if windows, lf > start, bytes[lf - 1] == UInt8(ascii: "\r") {
            index = lf + 1
            return (bytes[start..<(lf - 1)], 2)
        }
        index = lf + 1
        return (bytes[start..<lf], 1)
    }

    private static func find(_ pattern: [UInt8], in line: ArraySlice<UInt8>) -> Int? {
        guard line.count >= pattern.count else { return nil }
        for start in line.startIndex...(line.endIndex - pattern.count)
        where line[start..<(start + pattern.count)].elementsEqual(pattern) {
            return start
        }
        return nil
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// docker/cli `pkg/kvfile` (`docker run --env-file`), as released in docker 28.
///
/// `bufio.Scanner` lines (LF, one trailing CR dropped, at most 65,535 bytes plus the LF),
/// each valid UTF-8; a BOM is removed from the first line; leading white space is trimmed;
/// empty lines and `#` lines are skipped; the rest splits at the first `=` into a key
/// without spaces or tabs and a value taken verbatim.
enum DockerEnvReader {
    static func read(_ text: String) throws -> [(key: String, value: [UInt8])] {
        var lines = Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var pairs: [(key: String, value: [UInt8])] = []
        for (number, rawLine) in lines.enumerated() {
            guard rawLine.count <= 65_535 else { throw ReaderFailure(description: "token too long") }
            var line = rawLine
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            let decoded = String(decoding: line, as: UTF8.self)
            guard Array(decoded.utf8) == Array(line) else {
                throw ReaderFailure(description: "invalid utf8 at line \(number + 1)")
            }
            var scalars = Substring(decoded).unicodeScalars
            if number == 0, scalars.first == "\u{FEFF}" { scalars.removeFirst() }
            while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
            // Compare scalars, not Characters: a combining mark must not hide '#' or '='.
            if scalars.isEmpty || scalars.first == "#" { continue }
            guard let equals = scalars.firstIndex(of: "=") else {
                throw ReaderFailure(description: "line \(number + 1) has no '='")
            }
            let key = String(scalars[..<equals])
            guard !key.isEmpty, !key.unicodeScalars.contains(" "), !key.unicodeScalars.contains("\t") else {
                throw ReaderFailure(description: "bad variable name on line \(number + 1)")
            }
            pairs.append((key, Array(String(scalars[scalars.index(after: equals)...]).utf8)))
        }
        return pairs
    }
}
