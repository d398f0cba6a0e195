import LoopsealStore

/// Every target of a workspace for `loopseal targets`: where each delivers, what it runs after a
/// change, which hosts it is for and whether it applies to the chosen host. Reads no secret.
public struct TargetListing: Sendable {
    /// One target.
    public struct Entry: Sendable {
        /// The target as `workspace.yaml` declares it.
        public var target: SyncTarget
        /// Where it delivers: resolved file path, command line, `host:path`, URL.
        public var destination: String
        /// The chosen host is one of its `hosts:` (always true without `hosts:`).
        public var applies: Bool
    }

    /// The host the targets are judged for.
    public let host: SyncHost
    /// The targets, in `workspace.yaml`'s order.
    public let entries: [Entry]

    /// Lists the targets of `workspace` for `host` (nil: `$LOOPSEAL_HOST`, else the host name).
    public init(workspace: Workspace, host: SyncHost?) throws {
        let targets = try SyncTarget.parseAll(try workspace.loadConfig(), file: workspace.configPath)
        let host = try host ?? SyncHost.current()
        self.host = host
        entries = targets.map { Entry(target: $0, destination: $0.destination(in: workspace), applies: host.applies(to: $0)) }
    }
}
