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
    /// A Kubernetes `v1/Secret` manifest with base64 `data` (see `K8sSecretFormat`).
    case k8s
    /// `KEY<<DELIM` heredoc blocks for GitHub Actions' `$GITHUB_ENV` (see `GitHubEnvFormat`).
    case githubEnv = "github-env"
    /// Verbatim `KEY=value` lines for `docker run --env-file` (see `DockerEnvFormat`).
    case docker
}

extension OutputFormat {
    /// Renders `entries` in their given order; every line (and the whole output) ends with "\n".
    /// `options` is read only by `k8s` (Secret name and namespace).
    ///
    /// Throws `FormatError.unrepresentable` naming the first key this format cannot carry
    /// exactly, never its value:
    /// - every format: a value that is not valid UTF-8 or contains NUL;
    /// - `dotenv`: a value ending in a backslash that cannot be written unquoted;
    /// - `shell`: a name bash manages itself (e.g. `UID`, `RANDOM`, `_`);
    /// - `k8s`: a key that is not a valid Secret data key, or a repeated key;
    /// - `github-env`: a value ending in CR; `NODE_OPTIONS`, `GITHUB_*` or `RUNNER_*`;
    /// - `docker`: a value with LF or CR, a value wrapped in matching quotes, or a line over
    ///   65,535 bytes.
    ///
    /// Throws `FormatError.invalidOption` for `k8s` when `options.name` is not a DNS-1123
    /// subdomain or `options.namespace` is not a DNS-1123 label.
    public func render(
        _ entries: [EnvEntry], options: FormatOptions = FormatOptions()
    ) throws(FormatError) -> String {
        switch self {
        case .dotenv: return try DotenvFormat.render(entries)
        case .shell: return try ShellFormat.render(entries)
        case .json: return try JSONFormat.render(entries)
        case .yaml: return try YAMLFormat.render(entries)
        case .k8s: return try K8sSecretFormat.render(entries, options: options)
        case .githubEnv: return try GitHubEnvFormat.render(entries)
        case .docker: return try DockerEnvFormat.render(entries)
        }
    }
}
