import Logging
import LoopsealStore
import LoopsealTemplates
import LoopsealValue
import LoopsealDiagnostics

/// A tool a workflow transition can call. Tools see key names and flags, never secret values.
public protocol WorkflowTool: Sendable {
    /// The canonical (snake_case) name; camelCase spellings map to it.
    var name: String { get }
    /// Problems in the arguments as written, found before any run.
    func validate(_ args: ArgValue, workflow: WorkflowDefinition) -> [ToolArgumentIssue]
    /// Runs with evaluated arguments; the return value becomes `result.data`.
    func run(_ args: TemplateValue, context: ToolContext) throws -> TemplateValue
}

extension WorkflowTool {
    public func validate(_ args: ArgValue, workflow: WorkflowDefinition) -> [ToolArgumentIssue] { [] }
}

/// Pushes a workspace's secrets to its sync targets; `sync_secrets` calls it.
public protocol SecretsSyncer: Sendable {
    /// Syncs every target; returns how many targets were written.
    func syncAll(workspace: Workspace) throws -> Int
}

/// What a tool may touch while it runs.
public final class ToolContext {
    /// The run's workspace.
    public let workspace: Workspace
    /// Its secrets (values never leave the store through tools).
    public let secrets: SecretService
    /// The workflow being run.
    public let workflow: WorkflowDefinition
    /// `{state, args, result, runtime}` at the time of the call.
    public let evaluation: TemplateValue
    /// The syncer for `sync_secrets`, when one is configured.
    public let syncer: SecretsSyncer?
    /// Documents created by this transition so far.
    public internal(set) var documents: [WorkflowDocument] = []
    let transitionID: String
    let logger: Logger

    init(workspace: Workspace, secrets: SecretService, workflow: WorkflowDefinition, evaluation: TemplateValue,
         syncer: SecretsSyncer?, transitionID: String, logger: Logger) {
        self.workspace = workspace
        self.secrets = secrets
        self.workflow = workflow
        self.evaluation = evaluation
        self.syncer = syncer
        self.transitionID = transitionID
        self.logger = logger
    }

    /// Keys this transition asked a person for (`request_secrets`); `run resume --fill` prompts for them.
    public internal(set) var requestedKeys: [String] = []

    /// Adds a document to the run.
    public func add(_ document: WorkflowDocument) { documents.append(document) }

    /// Records that a person must provide `key`.
    public func request(_ key: String) { if !requestedKeys.contains(key) { requestedKeys.append(key) } }
}

/// Tools by name.
public struct ToolRegistry: Sendable {
    private let tools: [String: any WorkflowTool]

    /// A registry of `tools`.
    public init(_ tools: [any WorkflowTool]) {
        self.tools = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The built-in tools: `request_secrets`, `get_secret_keys`, `sync_secrets`, `create_document`,
    /// and the two that start child runs, `request_secrets_task` and `run_workflow`.
    public static let builtIn = ToolRegistry([RequestSecretsTool(), GetSecretKeysTool(), SyncSecretsTool(), CreateDocumentTool(),
                                              RequestSecretsTaskTool(), RunWorkflowTool()])

    /// Sorted tool names.
    public var names: [String] { tools.keys.sorted() }

    /// The tool called `name` (any spelling).
    public func tool(named name: String) -> (any WorkflowTool)? { tools[ToolNames.canonical(name)] }
}

/// An error a tool raises; shown in the run and on the CLI (never holds a secret value).
public struct ToolError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ToolError: LoopsealError {}
