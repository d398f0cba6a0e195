import LoopsealStore

/// A sync target from `workspace.yaml` (DESIGN.md §7).
public struct SyncTarget: Sendable, Equatable {
    /// The kinds of target.
    public enum Kind: String, Sendable { case file, command, ssh, agent }

    public var name: String
    public var kind: Kind
    /// `file` and `ssh`: where the payload goes (for `file`, relative to the workspace folder).
    public var path: String?
    /// `command`: argv that receives the payload on stdin.
    public var command: [String]?
    /// `ssh`: `user@host`.
    public var host: String?
    /// `agent`: URL and the agent's `age1…` key.
    public var url: String?
    public var agentKey: String?
    public var format: OutputFormat
    /// A subset of keys; nil means all.
    public var keys: [String]?
    /// argv run after the payload changed.
    public var restart: [String]?
    /// `ssh`: extra options for the ssh command (`[-p, "2222", -o, UserKnownHostsFile=…]`).
    public var sshOptions: [String]?
    /// `k8s` format: the Secret's namespace (its name is the target's name).
    public var namespace: String?
    /// The hosts this target is for (names or globs); nil (no `hosts:`) means every host.
    public var hosts: [HostPattern]?

    /// The `hosts:` for people: `web-1, web-*`, or `all` when the target has none.
    public var hostsText: String { hosts.map { $0.map(\.text).joined(separator: ", ") } ?? "all" }

    /// Where the target delivers, for people: resolved file path, command line, `host:path`, URL.
    public func destination(in workspace: Workspace) -> String {
        switch kind {
        case .file: return FileTargetWriter.absolute(resolvedPath(path ?? "", in: workspace))
        case .command: return (command ?? []).joined(separator: " ")
        case .ssh: return "\(host ?? ""):\(path ?? "")"
        case .agent: return url ?? ""
        }
    }

    static let fields = ["name", "type", "path", "command", "host", "url", "agent", "format", "keys", "restart", "options", "namespace", "hosts"]

    /// Reads the `targets:` of `config`; `file` names workspace.yaml in errors.
    public static func parseAll(_ config: WorkspaceConfig, file: String) throws -> [SyncTarget] {
        guard case .sequence(let items, _)? = config.targets else { return [] }
        var targets: [SyncTarget] = []
        for item in items {
            let target = try parse(item, file: file)
            if targets.contains(where: { $0.name == target.name }) {
                throw malformed(file, item, "target name '\(target.name)' is used twice: names must be unique")
            }
            targets.append(target)
        }
        return targets
    }

    private static func malformed(_ file: String, _ node: ConfigNode, _ problem: String) -> StoreError {
        .malformed(file: file, line: node.position?.line, column: node.position?.column, problem: problem)
    }

    private static func strings(_ node: ConfigNode?, _ file: String, _ field: String) throws -> [String]? {
        guard let node else { return nil }
        switch node {
        case .sequence(let items, _):
            return try items.map { item in
                guard let s = item.string else { throw malformed(file, item, "'\(field)' must be a list of strings") }
                return s
            }
        case .scalar(let s, _): return [s]
        default: throw malformed(file, node, "'\(field)' must be a list of strings")
        }
    }

    /// `hosts:`: a non-empty list of host names or patterns (one scalar is a list of one).
    private static func hostPatterns(_ node: ConfigNode?, _ file: String, target name: String) throws -> [HostPattern]? {
        guard let node else { return nil }
        let items: [ConfigNode]
        switch node {
        case .sequence(let list, _): items = list
        case .scalar(let text, _): items = isEmptyScalar(text) ? [] : [node]
        case .mapping: throw malformed(file, node, "target '\(name)': 'hosts' must be a list of host names or patterns, such as [web-1, \"web-*\"]")
        }
        guard !items.isEmpty else {
            throw malformed(file, node, "target '\(name)': 'hosts' is empty: list the hosts this target is for, or remove 'hosts' to sync it on every host")
        }
        return try items.map { item in
            guard let text = item.string else {
                throw malformed(file, item, "target '\(name)': each item of 'hosts' must be a host name or pattern, such as web-1 or \"web-*\"")
            }
            if isEmptyScalar(text) {
                throw malformed(file, item, "target '\(name)': an item of 'hosts' is empty: give a host name or pattern, such as web-1 or \"web-*\"")
            }
            do { return try HostPattern(text) } catch let error as SyncError {
                throw malformed(file, item, "target '\(name)': \(error.message)")
            }
        }
    }

    /// Empty or YAML's null (`~`, `null`): no host at all.
    private static func isEmptyScalar(_ text: String) -> Bool {
        text.isEmpty || ["null", "Null", "NULL", "~"].contains(text)
    }

    static func parse(_ node: ConfigNode, file: String) throws -> SyncTarget {
        guard case .mapping = node else { throw malformed(file, node, "a target is a mapping with 'name' and 'type'") }
        let mapping = node
        for key in mapping.keys where !fields.contains(key.string ?? "") {
            throw malformed(file, key, "unknown target field '\(key.string ?? "")' (known: \(fields.joined(separator: ", ")))")
        }
        guard let name = mapping["name"]?.string, !name.isEmpty else { throw malformed(file, node, "a target needs 'name'") }
        guard let typeNode = mapping["type"], let kind = typeNode.string.flatMap(Kind.init(rawValue:)) else {
            throw malformed(file, mapping["type"] ?? node, "target '\(name)' needs 'type: file|command|ssh|agent'")
        }
        var format = OutputFormat.dotenv
        if let formatNode = mapping["format"] {
            guard let parsed = formatNode.string.flatMap(OutputFormat.init(rawValue:)) else {
                throw malformed(file, formatNode, "target '\(name)': unknown format (known: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            format = parsed
        }
        let keys = try strings(mapping["keys"], file, "keys")
        for key in keys ?? [] where !Names.isValidKey(key) {
            throw malformed(file, mapping["keys"] ?? node, "target '\(name)': \(StoreError.invalidKey(key))")
        }
        let target = SyncTarget(name: name, kind: kind, path: mapping["path"]?.string, command: try strings(mapping["command"], file, "command"),
                                host: mapping["host"]?.string, url: mapping["url"]?.string, agentKey: mapping["agent"]?.string,
                                format: format, keys: keys, restart: try strings(mapping["restart"], file, "restart"),
                                sshOptions: try strings(mapping["options"], file, "options"), namespace: mapping["namespace"]?.string,
                                hosts: try hostPatterns(mapping["hosts"], file, target: name))
        switch kind {
        case .file where target.path == nil: throw malformed(file, node, "file target '\(name)' needs 'path'")
        case .command where (target.command ?? []).isEmpty: throw malformed(file, node, "command target '\(name)' needs 'command: [argv…]'")
        case .ssh where target.host == nil || target.path == nil: throw malformed(file, node, "ssh target '\(name)' needs 'host' and 'path'")
        case .agent where target.url == nil || target.agentKey == nil: throw malformed(file, node, "agent target '\(name)' needs 'url' and 'agent'")
        default: break
        }
        return target
    }
}
