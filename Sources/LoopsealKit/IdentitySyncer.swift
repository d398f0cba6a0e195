import LoopsealStore
import LoopsealSync
import LoopsealWorkflows

/// `sync_secrets` for runs started from the CLI, the server or MCP: the identities are loaded
/// only when a run syncs, from the loader the adapter built (command-line files, environment).
public struct IdentitySyncer: SecretsSyncer {
    /// Where the identities come from.
    public let loader: IdentityLoader

    /// A syncer that opens values with what `loader` finds.
    public init(loader: IdentityLoader) { self.loader = loader }

    /// Syncs every target of `workspace`; returns how many were written.
    public func syncAll(workspace: Workspace) throws -> Int {
        try TargetSyncer(workspace: workspace, identities: try loader.load()).sync().filter(\.written).count
    }
}
