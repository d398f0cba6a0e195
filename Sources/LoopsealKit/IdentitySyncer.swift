import LoopsealStore
import LoopsealSync
import LoopsealWorkflows

/// `sync_secrets` for runs started from the CLI, the server or MCP: the identities are loaded
/// only when a run syncs, from the loader the adapter built (command-line files, environment).
public struct IdentitySyncer: SecretsSyncer {
    /// Where the identities come from.
    public let loader: IdentityLoader
    /// The host whose targets are synced; nil: this machine (`$LOOPSEAL_HOST`, else its host name).
    public let host: SyncHost?

    /// A syncer that opens values with what `loader` finds and syncs the targets for `host`.
    public init(loader: IdentityLoader, host: SyncHost? = nil) {
        self.loader = loader
        self.host = host
    }

    /// Syncs every target of `workspace` for the host; returns how many were written.
    public func syncAll(workspace: Workspace) throws -> Int {
        try TargetSyncer(workspace: workspace, identities: try loader.load(), host: host).sync().filter(\.written).count
    }
}
