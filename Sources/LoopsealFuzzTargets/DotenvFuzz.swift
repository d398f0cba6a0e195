import LoopsealSync

/// The dotenv readers (`PayloadKeys.parseDotenv`, which the agent uses to log key names, and
/// `DotenvParser`, python-dotenv's reading for `import` and `edit`) and the shell reader,
/// against their writers.
///
/// Three round trips per input:
/// - python-dotenv's reading: whatever `DotenvParser` reads from the input, written again by the
///   dotenv writer, reads back the same; and every list of values the writer accepts reads back
///   byte for byte (what `edit` shows is what it reads);
/// - read: the input as a payload; whatever the reader returns, written again, reads back the
///   same, and a payload that is exactly its own rendering yields its key names;
/// - write: the input split at `0xFF` bytes is a list of values (`K0`, `K1`, …); whatever the
///   writer accepts reads back byte for byte.
public enum DotenvFuzz {
    /// Runs one input.
    public static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let names = PayloadKeys.names(in: text)
        for (format, read) in readers {
            guard let entries = read(text) else { continue }
            guard let rendered = try? format.render(entries) else { continue }
            FuzzCheck.require(read(rendered) == entries, "\(format.rawValue): read(write(read(x))) differs from read(x)")
            if rendered == text {
                FuzzCheck.require(names == entries.map(\.key), "\(format.rawValue): names of a canonical payload are wrong")
            }
        }
        if let read = try? DotenvParser.parse(bytes, fileName: "fuzz").map({ EnvEntry(key: $0.key, value: $0.value.withUnsafeBytes { Array($0) }) }),
           let rendered = try? OutputFormat.dotenv.render(read) {
            FuzzCheck.require(pythonDotenv(rendered) == read, "DotenvParser: read(write(read(x))) differs from read(x)")
        }
        let values = bytes.split(separator: 0xFF, omittingEmptySubsequences: false)
        let entries = values.enumerated().map { EnvEntry(key: "K\($0.offset)", value: Array($0.element)) }
        if let rendered = try? OutputFormat.dotenv.render(entries) {
            FuzzCheck.require(pythonDotenv(rendered) == entries, "DotenvParser: read(write(entries)) differs from entries")
        }
        for (format, read) in readers {
            guard let rendered = try? format.render(entries) else { continue }
            FuzzCheck.require(read(rendered) == entries, "\(format.rawValue): read(write(entries)) differs from entries")
            FuzzCheck.require(PayloadKeys.names(in: rendered) == entries.map(\.key), "\(format.rawValue): wrong names for written entries")
        }
    }

    /// `DotenvParser`'s entries for `text`, nil when it refuses it.
    static func pythonDotenv(_ text: String) -> [EnvEntry]? {
        try? DotenvParser.parse(Array(text.utf8), fileName: "fuzz").map { EnvEntry(key: $0.key, value: $0.value.withUnsafeBytes { Array($0) }) }
    }

    static let readers: [(OutputFormat, @Sendable (String) -> [EnvEntry]?)] = [
        (.dotenv, PayloadKeys.parseDotenv),
        (.shell, PayloadKeys.parseShell),
    ]
}
