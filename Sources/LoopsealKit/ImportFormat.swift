/// The file formats `loopseal import` reads.
public enum ImportFormat: String, CaseIterable, Sendable {
    /// `NAME=value` lines, read as python-dotenv reads them (`DotenvParser`).
    case dotenv
    /// One JSON object whose values are strings.
    case json
    /// One YAML mapping whose values are strings.
    case yaml

    /// The format a file name suggests: `.json` is JSON, `.yaml` and `.yml` are YAML, anything
    /// else (`.env`, `.env.local`, no extension) is dotenv.
    public init(guessingFrom path: String) {
        let name = path.lowercased()
        if name.hasSuffix(".json") {
            self = .json
        } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            self = .yaml
        } else {
            self = .dotenv
        }
    }
}
