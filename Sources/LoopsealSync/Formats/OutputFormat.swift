/// The file formats secrets can be exported in.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// `KEY='value'` lines read back exactly by python-dotenv (see `DotenvFormat`).
    case dotenv
    /// `export KEY='value'` lines for `source` in bash; nothing is ever executed.
    case shell
    /// A single JSON object mapping keys to string values.
    case json
    /// A YAML mapping with double-quoted keys and values.
    case yaml
}

extension OutputFormat {
    /// Renders `entries` in their given order; every line (and the whole output) ends with "\n".
    ///
    /// Throws `FormatError.unrepresentable` naming the first key this format cannot carry
    /// exactly: a value that is not valid UTF-8 or contains NUL (every format); in `dotenv`,
    /// a value ending in a backslash that cannot be written unquoted; in `shell`, a name
    /// bash manages itself (e.g. `UID`, `RANDOM`, `_`).
    public func render(_ entries: [EnvEntry]) throws(FormatError) -> String {
        switch self {
        case .dotenv: return try DotenvFormat.render(entries)
        case .shell: return try ShellFormat.render(entries)
        case .json: return try JSONFormat.render(entries)
        case .yaml: return try YAMLFormat.render(entries)
        }
    }
}
