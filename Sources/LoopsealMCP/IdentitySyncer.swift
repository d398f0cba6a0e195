import LoopsealStore
import LoopsealSync
import LoopsealWorkflows

/// `sync_secrets` inside workflows started over MCP: loads identities only when a run syncs.
struct IdentitySyncer: SecretsSyncer {
    let configuration: MCPConfiguration

    func syncAll(workspace: Workspace) throws -> Int {
        let identities = try IdentityLoader(files: configuration.identityFiles, environment: configuration.environment).load()
        return try TargetSyncer(workspace: workspace, identities: identities).sync().filter(\.written).count
    }
}
