import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import LoopsealWorkflows
import MCP

/// One MCP tool: what `tools/list` shows and what a call does.
protocol MCPToolHandler: Sendable {
    /// Name, description and JSON Schema of the arguments.
    var definition: Tool { get }
    /// Runs a call. The result holds key names, flags and run data, never a secret value.
    func call(_ arguments: ToolArguments, context: ToolContext) throws -> ToolOutcome
}

/// What a tool call returns: structured data, marked as an error when the call did not succeed.
struct ToolOutcome: Sendable {
    /// The structured result (a JSON object).
    var data: Value
    /// Set when the call failed but still has data to show (e.g. a sync with failing targets).
    var failure: String?

    init(_ data: Value, failure: String? = nil) {
        self.data = data
        self.failure = failure
    }
}

/// What every tool handler may use: the configuration, the workspace an argument names, runs.
struct ToolContext: Sendable {
    let configuration: MCPConfiguration

    /// The argument names every tool accepts besides its own.
    static let common = ["workspace"]

    /// The workspace named by the `workspace` argument, else `--workspace`, else the only one;
    /// its `workspace.yaml` is checked. Errors name the `workspace` argument.
    func workspace(_ arguments: ToolArguments) throws -> Workspace {
        let root = configuration.root
        let id = try arguments.string("workspace") ?? configuration.defaultWorkspace
        let workspace: Workspace
        do {
            workspace = try Workspace.resolve(root: root, id: id)
        } catch let error as StoreError {
            let known = Workspace.list(root: root)
            switch error {
            case .ambiguousWorkspace(let ids):
                throw ToolCallError("\(arguments.tool): 'workspace' is required: there are several workspaces (\(ids.joined(separator: ", ")))")
            case .invalidWorkspaceID, .workspaceNotFound:
                let listing = known.isEmpty ? "there are none" : "known: \(known.joined(separator: ", "))"
                throw ToolCallError("\(arguments.tool): 'workspace': \(ToolArguments.printable(id ?? "")) is not a workspace under \(root)/workspaces (\(listing))")
            default:
                throw ToolCallError("\(arguments.tool): \(error)")
            }
        }
        _ = try workspace.loadConfig()
        return workspace
    }

    /// The run service of `workspace`, syncing with the configured identities.
    func runs(_ workspace: Workspace) -> RunService {
        RunService(workspace: workspace, syncer: IdentitySyncer(loader: IdentityLoader(files: configuration.identityFiles, environment: configuration.environment)))
    }

    /// Run `id` of `runs`' workspace (argument `field` of `arguments`), after finishing what a
    /// crash left undone (``RunService/settled(_:)``: a parent whose child finished is resumed).
    func run(_ id: String, field: String, runs: RunService, arguments: ToolArguments) throws -> WorkflowRun {
        let run: WorkflowRun
        do {
            run = try runs.load(runID: id)
        } catch RunServiceError.invalidRunID, RunServiceError.runNotFound {
            throw ToolCallError("\(arguments.tool): '\(field)': no run '\(ToolArguments.printable(id))' in workspace \(runs.workspace.id): give an id a tool returned (runs of other workspaces need 'workspace')")
        }
        return try runs.settled(run)
    }

    /// Identities when any is configured, else none (named files must still load).
    func identitiesIfAny() throws -> [Identity] {
        try IdentityLoader(files: configuration.identityFiles, environment: configuration.environment).loadIfAny()
    }

    /// Identities for decrypting, or a tool error that says how to provide one.
    func identities(for tool: String) throws -> [Identity] {
        do {
            return try IdentityLoader(files: configuration.identityFiles, environment: configuration.environment).load()
        } catch StoreError.noIdentity(let searched) {
            throw ToolCallError("\(tool) needs an identity to decrypt the secrets, and none was found (looked in: \(searched.joined(separator: ", "))): start `loopseal mcp` with --identity FILE, or set LOOPSEAL_IDENTITY or LOOPSEAL_IDENTITY_FILE in its environment")
        }
    }
}
