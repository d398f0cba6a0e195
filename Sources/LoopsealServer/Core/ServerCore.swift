import Foundation
import Logging
import LoopsealCrypto
import LoopsealStore
import LoopsealTemplates
import LoopsealWorkflows

/// What the API and the web pages do, in one place: token checks, scoping, secret writes
/// (sealed to the recipients; the server holds no private key), runs, the audit log and git
/// commits. Every method that changes something audits it; none returns or logs a value.
public final class ServerCore: Sendable {
    /// The configuration served.
    public let configuration: ServerConfiguration
    /// The API tokens.
    public let tokens: TokenStore
    /// The audit log.
    public let audit: AuditLog
    private let git: GitCommitter?
    private let queues = BlockingQueues()
    private let logger: Logger

    /// A core for `configuration`. Fails when `--git-commit` is set outside a git repository.
    public init(configuration: ServerConfiguration) throws {
        self.configuration = configuration
        tokens = TokenStore(directory: configuration.stateDirectory)
        audit = AuditLog(path: configuration.auditLogPath)
        git = configuration.gitCommit ? try GitCommitter(root: configuration.root) : nil
        logger = configuration.logger
    }

    // MARK: Access

    /// The record of a bearer token, or nil when it is unknown or revoked.
    public func authenticate(bearer token: String) -> TokenRecord? {
        tokens.authenticate(token)
    }

    /// The current record of token `id` (nil once revoked).
    public func token(id: String) -> TokenRecord? {
        tokens.record(id: id)
    }

    /// The workspaces `token` may see that exist under the root, sorted.
    public func workspaceIDs(for token: TokenRecord) -> [String] {
        Workspace.list(root: configuration.root).filter(token.allows(workspace:)).sorted()
    }

    /// Workspace `id` if `token` is scoped to it and it exists: 400 for an invalid id, 404 otherwise.
    public func workspace(_ id: String, for token: TokenRecord) throws -> Workspace {
        guard Names.isValidWorkspaceID(id) else {
            throw APIError.invalid("'\(printable(id))' is not a workspace id: lowercase letters, digits, '_' and '-'")
        }
        guard token.allows(workspace: id), FileIO.exists("\(configuration.root)/workspaces/\(id)/workspace.yaml") else {
            throw APIError.notFound("no workspace '\(id)'")
        }
        return try Workspace(root: configuration.root, id: id)
    }

    /// Throws 403 unless `token` has at least `role`.
    public func require(_ role: Role, _ token: TokenRecord) throws {
        guard token.role >= role else { throw APIError.forbidden(role, token) }
    }

    // MARK: Secrets

    /// `{id, key, hasValue}` for every secret; nothing is decrypted.
    public func listSecrets(_ workspace: Workspace) async throws -> [SecretKeyInfo] {
        try await queues.read { try SecretService(workspace: workspace).keys() }
    }

    /// Creates `key`; 409 when it exists.
    public func createSecret(_ workspace: Workspace, key: String, value: SecureBytes, token: TokenRecord) async throws -> SecretKeyInfo {
        try checkKey(key)
        return try await write(workspace, token: token, action: "secret.create", key: key) {
            try SecretService(workspace: workspace).create(key: key, value: value)
        }
    }

    /// Sets `key`, creating it when needed.
    public func upsertSecret(_ workspace: Workspace, key: String, value: SecureBytes, token: TokenRecord) async throws -> SecretKeyInfo {
        try checkKey(key)
        return try await write(workspace, token: token, action: "secret.upsert", key: key) {
            try SecretService(workspace: workspace).upsert(key: key, value: value)
        }
    }

    /// Replaces the value of the secret with `id`; 404 when there is none.
    public func updateSecret(_ workspace: Workspace, id: String, value: SecureBytes, token: TokenRecord) async throws -> SecretKeyInfo {
        let key = try await secretKey(workspace, id: id)
        return try await write(workspace, token: token, action: "secret.update", key: key) {
            try SecretService(workspace: workspace).update(id: id, value: value)
        }
    }

    /// Deletes the secret with `id`; 404 when there is none.
    public func deleteSecret(_ workspace: Workspace, id: String, token: TokenRecord) async throws {
        let key = try await secretKey(workspace, id: id)
        try await write(workspace, token: token, action: "secret.delete", key: key) {
            try SecretService(workspace: workspace).delete(id: id)
        }
    }

    private func secretKey(_ workspace: Workspace, id: String) async throws -> String {
        guard !id.isEmpty, id.utf8.count <= 64, id.utf8.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: "-") }) else {
            throw APIError.invalid("'\(printable(id))' is not a secret id: ids are hex digits and '-'")
        }
        guard let secret = try await queues.read({ try SecretService(workspace: workspace).find(id: id) }) else {
            throw APIError.notFound("no secret with id '\(id)' in workspace '\(workspace.id)'")
        }
        return secret.key
    }

    private func checkKey(_ key: String) throws {
        guard Names.isValidKey(key) else {
            throw APIError.invalid("'\(printable(key))' is not a valid key: use letters, digits and '_', not starting with a digit")
        }
    }

    // MARK: Runs

    /// The workflows under `workflows/`.
    public func workflows(_ workspace: Workspace) -> [WorkflowSummary] {
        runService(workspace).workflows()
    }

    /// Every run of the workspace, newest first.
    public func runs(_ workspace: Workspace) async throws -> [WorkflowRun] {
        try await queues.read { try self.runService(workspace).runs() }
    }

    /// Run `id`; 400 for an invalid id, 404 when there is none.
    public func run(_ workspace: Workspace, id: String) async throws -> WorkflowRun {
        try await queues.read { try self.runService(workspace).load(runID: id) }
    }

    /// The definition a run was started from, when it still loads.
    public func definition(_ workspace: Workspace, run: WorkflowRun) -> WorkflowDefinition? {
        try? runService(workspace).definition(of: run)
    }

    /// The manual transitions a person can fire now.
    public func manualTransitions(_ workspace: Workspace, run: WorkflowRun) -> [String] {
        guard let definition = definition(workspace, run: run) else { return [] }
        return runService(workspace).engine(definition).manualTransitions(of: run).map(\.id)
    }

    /// Requested keys that still have no value.
    public func missingKeys(_ workspace: Workspace, run: WorkflowRun) async throws -> [String] {
        try await queues.read { try self.runService(workspace).missingKeys(of: run) }
    }

    /// Starts workflow `name` (one listed under `workflows/`; never a path) with `input`.
    public func startRun(_ workspace: Workspace, workflow name: String, input: TemplateValue, token: TokenRecord) async throws -> WorkflowRun {
        try await mutate(workspace, token: token) {
            let service = self.runService(workspace)
            let (definition, file) = try service.loadListedWorkflow(name)
            let run = try service.start(definition, file: file, args: input)
            return (run, AuditEntry(token: token.id, workspace: workspace.id, action: "run.start", run: run.id),
                    try self.changedPaths(workspace, run: run))
        }
    }

    /// Fires manual transition `transition` of run `runID` with `payload`.
    public func fire(_ workspace: Workspace, runID: String, transition: String, payload: TemplateValue?, token: TokenRecord) async throws -> WorkflowRun {
        try await mutate(workspace, token: token) {
            let run = try self.runService(workspace).fire(runID: runID, transition: transition, payload: payload)
            return (run, AuditEntry(token: token.id, workspace: workspace.id, action: "run.transition", run: runID, transition: transition),
                    try self.changedPaths(workspace, run: run))
        }
    }

    /// Stores the values run `runID` asked for and fires its secret-input transition with `{keys}`.
    public func provideSecrets(_ workspace: Workspace, runID: String, values: [(key: String, value: SecureBytes)],
                               transition: String?, token: TokenRecord) async throws -> WorkflowRun {
        let boxed = ValuesBox(values)
        return try await mutate(workspace, token: token) {
            let run = try self.runService(workspace).provideSecrets(runID: runID, values: boxed.values, transition: transition)
            let keys = boxed.values.map(\.key)
            for key in keys {
                try self.audit.record(AuditEntry(token: token.id, workspace: workspace.id, action: "secret.upsert", key: key, run: runID))
            }
            let fired = run.history.last(where: \.manual)?.transition
            let paths = try self.changedPaths(workspace, run: run) + keys.map { try self.relative(workspace.secretPath(for: $0)) }
            return (run, AuditEntry(token: token.id, workspace: workspace.id, action: "run.secrets", run: runID, transition: fired), paths)
        }
    }

    // MARK: Writing

    private func runService(_ workspace: Workspace) -> RunService {
        RunService(workspace: workspace, syncer: configuration.syncer)
    }

    /// A secret write on the workspace's queue, then its audit line and git commit.
    @discardableResult
    private func write(_ workspace: Workspace, token: TokenRecord, action: String, key: String,
                       _ body: @escaping @Sendable () throws -> SecretKeyInfo?) async throws -> SecretKeyInfo? {
        try await queues.write(workspace: workspace.id) {
            let info = try body()
            try self.audit.record(AuditEntry(token: token.id, workspace: workspace.id, action: action, key: key))
            self.logger.info("secret changed", metadata: ["workspace": "\(workspace.id)", "key": "\(key)", "action": "\(action)", "token": "\(token.id)"])
            if let git = self.git {
                try git.commit(paths: [try self.relative(workspace.secretPath(for: key))],
                               message: "loopseal: \(action.replacingOccurrences(of: "secret.", with: "")) \(key) in workspace \(workspace.id)")
            }
            return info
        }
    }

    private func write(_ workspace: Workspace, token: TokenRecord, action: String, key: String,
                       _ body: @escaping @Sendable () throws -> SecretKeyInfo) async throws -> SecretKeyInfo {
        let info: SecretKeyInfo? = try await write(workspace, token: token, action: action, key: key) { () throws -> SecretKeyInfo? in try body() }
        guard let info else { throw APIError(.internalServerError, "internal", "the write returned nothing") }
        return info
    }

    private func write(_ workspace: Workspace, token: TokenRecord, action: String, key: String,
                       _ body: @escaping @Sendable () throws -> Void) async throws {
        try await write(workspace, token: token, action: action, key: key) { () throws -> SecretKeyInfo? in try body(); return nil }
    }

    /// A run change on the workspace's queue, then its audit line and (with `--git-commit`) a commit
    /// of the secret files it declared. Run files live in `.loopseal/` and are not committed.
    private func mutate(_ workspace: Workspace, token: TokenRecord,
                        _ body: @escaping @Sendable () throws -> (WorkflowRun, AuditEntry, [String])) async throws -> WorkflowRun {
        try await queues.write(workspace: workspace.id) {
            let (run, entry, paths) = try body()
            try self.audit.record(entry)
            self.logger.info("run changed", metadata: ["workspace": "\(workspace.id)", "run": "\(run.id)", "action": "\(entry.action)", "token": "\(token.id)"])
            if let git = self.git, !paths.isEmpty {
                try git.commit(paths: paths, message: "loopseal: \(entry.action) \(run.workflow) run \(run.id) in workspace \(workspace.id)")
            }
            return run
        }
    }

    /// Secret files a run asked for (declared as empty files by `request_secrets`).
    private func changedPaths(_ workspace: Workspace, run: WorkflowRun) throws -> [String] {
        guard git != nil else { return [] }
        return try run.requestedKeys.map { try relative(workspace.secretPath(for: $0)) }
    }

    private func relative(_ path: String) -> String {
        let root = configuration.root
        return path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    private func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}

/// Printable ids in messages: no control characters, bounded.
func printable(_ text: String) -> String {
    let cleaned = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
    return cleaned.count > 60 ? String(cleaned.prefix(60)) + "…" : cleaned
}

/// Carries values (``SecureBytes`` is immutable and Sendable) across the queue hop.
private struct ValuesBox: Sendable {
    let values: [(key: String, value: SecureBytes)]
    init(_ values: [(key: String, value: SecureBytes)]) { self.values = values }
}
