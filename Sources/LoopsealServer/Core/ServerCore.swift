import Foundation
import Logging
import LoopsealCrypto
import LoopsealDiagnostics
import LoopsealStore
import LoopsealTemplates
import LoopsealWorkflows
import LoopsealValue

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

    /// The record of a bearer token, or nil when it is unknown or revoked. A tokens file that
    /// cannot be read is logged and thrown as a 500 (``APIError/tokenStoreUnreadable``): it
    /// is the server's failure, never the caller's.
    public func authenticate(bearer token: String) throws -> TokenRecord? {
        try readingTokens { try tokens.authenticate(token) }
    }

    /// The current record of token `id` (nil once revoked); throws like ``authenticate(bearer:)``.
    public func token(id: String) throws -> TokenRecord? {
        try readingTokens { try tokens.record(id: id) }
    }

    private func readingTokens<Value>(_ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch {
            logger.error("cannot read the tokens file", metadata: ["path": "\(tokens.path)", "error": "\(error)"])
            throw APIError.tokenStoreUnreadable
        }
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
        try await queues.read { try self.secrets(workspace).keys() }
    }

    /// Creates `key`; 409 when it exists.
    public func createSecret(_ workspace: Workspace, key: String, value: SecureBytes, token: TokenRecord) async throws -> SecretKeyInfo {
        try checkKey(key)
        return try await writeSecret(workspace, token: token, action: "create", key: key) {
            try self.secrets(workspace).create(key: key, value: value)
        }
    }

    /// Sets `key`, creating it when needed. With ``ServerConfiguration/identities`` (opt-in),
    /// a value equal to the current one leaves the file untouched.
    public func upsertSecret(_ workspace: Workspace, key: String, value: SecureBytes, token: TokenRecord) async throws -> SecretKeyInfo {
        try checkKey(key)
        return try await writeSecret(workspace, token: token, action: "upsert", key: key) {
            try self.secrets(workspace).upsert(key: key, value: value, identities: self.configuration.identities?.loadIfAny() ?? [])
        }
    }

    /// Replaces the value of the secret with `id`; 404 when there is none.
    public func updateSecret(_ workspace: Workspace, id: String, value: SecureBytes, token: TokenRecord) async throws -> SecretKeyInfo {
        let key = try await secretKey(workspace, id: id)
        return try await writeSecret(workspace, token: token, action: "update", key: key) {
            try self.secrets(workspace).update(id: id, value: value)
        }
    }

    /// Deletes the secret with `id`; 404 when there is none.
    public func deleteSecret(_ workspace: Workspace, id: String, token: TokenRecord) async throws {
        let key = try await secretKey(workspace, id: id)
        _ = try await writeSecret(workspace, token: token, action: "delete", key: key) { () -> SecretKeyInfo? in
            try self.secrets(workspace).delete(id: id)
            return nil
        }
    }

    private func secretKey(_ workspace: Workspace, id: String) async throws -> String {
        guard !id.isEmpty, id.utf8.count <= 64, id.utf8.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: "-") }) else {
            throw APIError.invalid("'\(printable(id))' is not a secret id: ids are hex digits and '-'")
        }
        guard let secret = try await queues.read({ try self.secrets(workspace).find(id: id) }) else {
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
        try await change(workspace) { rollback in
            let existing = self.secretFileNames(workspace)
            let service = self.runService(workspace)
            let (definition, file) = try service.loadListedWorkflow(name)
            let run = try service.start(definition, file: file, args: input)
            try self.rememberCreated(run, existing: existing, in: workspace, rollback)
            return self.runChange(run, workspace, token: token, action: "run.start")
        }
    }

    /// Fires manual transition `transition` of run `runID` with `payload`.
    public func fire(_ workspace: Workspace, runID: String, transition: String, payload: TemplateValue?, token: TokenRecord) async throws -> WorkflowRun {
        try await change(workspace) { rollback in
            let existing = self.secretFileNames(workspace)
            if let file = try? self.runFile(workspace, runID) { try rollback.remember(file) }
            let run = try self.runService(workspace).fire(runID: runID, transition: transition, payload: payload)
            try self.rememberCreated(run, existing: existing, in: workspace, rollback)
            return self.runChange(run, workspace, token: token, action: "run.transition", transition: transition)
        }
    }

    /// Stores the values run `runID` asked for and fires its secret-input transition with `{keys}`.
    public func provideSecrets(_ workspace: Workspace, runID: String, values: [(key: String, value: SecureBytes)],
                               transition: String?, token: TokenRecord) async throws -> WorkflowRun {
        let boxed = ValuesBox(values)
        return try await change(workspace) { rollback in
            let existing = self.secretFileNames(workspace)
            if let file = try? self.runFile(workspace, runID) { try rollback.remember(file) }
            for key in boxed.values.map(\.key) {
                if let path = try? workspace.secretPath(for: key) { try rollback.remember(path) }
            }
            let run = try self.runService(workspace).provideSecrets(runID: runID, values: boxed.values, transition: transition)
            try self.rememberCreated(run, existing: existing, in: workspace, rollback)
            let keys = boxed.values.map(\.key)
            var record = self.runChange(run, workspace, token: token, action: "run.secrets",
                                        transition: run.history.last(where: \.manual)?.transition)
            record.entries = keys.map { AuditEntry(token: token.id, workspace: workspace.id, action: "secret.upsert", key: $0, run: runID) }
                + record.entries
            record.commitPaths += try keys.map { try self.relative(workspace.secretPath(for: $0)) }
            return record
        }
    }

    // MARK: Writing

    private func runService(_ workspace: Workspace) -> RunService {
        RunService(workspace: workspace, syncer: configuration.syncer, signingKeys: configuration.signingKeys)
    }

    /// The secrets of `workspace`, written with the configured signing key.
    private func secrets(_ workspace: Workspace) -> SecretService {
        SecretService(workspace: workspace, signingKeys: configuration.signingKeys)
    }

    /// A secret write, audited (`secret.ACTION`) and, with `--git-commit`, committed.
    private func writeSecret<Info: Sendable>(_ workspace: Workspace, token: TokenRecord, action: String, key: String,
                                             _ body: @escaping @Sendable () throws -> Info) async throws -> Info {
        try await change(workspace) { rollback in
            let path = try workspace.secretPath(for: key)
            try rollback.remember(path)
            let info = try body()
            return ChangeRecord(value: info,
                                entries: [AuditEntry(token: token.id, workspace: workspace.id, action: "secret.\(action)", key: key)],
                                commitPaths: [self.relative(path)],
                                message: "loopseal: \(action) \(key) in workspace \(workspace.id)",
                                logLine: "secret changed", logMetadata: ["key": "\(key)"])
        }
    }

    /// One change to a workspace, on its write queue, that succeeds whole or not at all: the
    /// audit log is opened first (a log that cannot be written refuses the change before
    /// anything is touched); `body` remembers the files it changes in the ``FileRollback``; then
    /// come the git commit (with `--git-commit`) and the audit line. When `body`, the commit or
    /// the audit line fails, every remembered file is put back and the error says so.
    private func change<Value: Sendable>(_ workspace: Workspace,
                                         _ body: @escaping @Sendable (FileRollback) throws -> ChangeRecord<Value>) async throws -> Value {
        try await queues.write(workspace: workspace.id) {
            let appender = try self.audit.appender()
            let rollback = try FileRollback(workspace: workspace)
            let record: ChangeRecord<Value>
            do {
                record = try body(rollback)
            } catch {
                rollback.noteChanged()
                self.reportUnrestored(rollback.restore(workspace), workspace)
                throw error
            }
            rollback.noteChanged()
            var committed = false
            if let git = self.git, !record.commitPaths.isEmpty {
                do {
                    committed = try git.commit(paths: record.commitPaths, message: record.message)
                } catch {
                    let unrestored = rollback.restore(workspace)
                    self.reportUnrestored(unrestored, workspace)
                    throw APIError(.internalServerError, "git_commit_failed",
                                   "\(error), so the change was undone\(Self.describe(unrestored)): fix the repository at \(self.configuration.root) (git status shows why), then retry")
                }
            }
            do {
                try appender.append(record.entries)
            } catch {
                let unrestored = rollback.restore(workspace)
                self.reportUnrestored(unrestored, workspace)
                var undo = ""
                if committed, let git = self.git {
                    do {
                        try git.commit(paths: record.commitPaths, message: record.message.replacingOccurrences(of: "loopseal: ", with: "loopseal: undo ")
                                       + " (its audit line could not be written)")
                    } catch {
                        undo = "; its commit could not be undone (\(error)): revert it by hand"
                    }
                }
                let message = (error as? APIError)?.message ?? "\(error)"
                throw APIError(.internalServerError, "audit_log", "\(message); the change was undone\(Self.describe(unrestored))\(undo)")
            }
            var metadata: Logger.Metadata = ["workspace": "\(workspace.id)", "action": "\(record.entries.last?.action ?? "")"]
            metadata.merge(record.logMetadata) { _, new in new }
            if let token = record.entries.last?.token { metadata["token"] = "\(token)" }
            self.logger.info("\(record.logLine)", metadata: metadata)
            return record.value
        }
    }

    private func reportUnrestored(_ unrestored: [String], _ workspace: Workspace) {
        guard !unrestored.isEmpty else { return }
        logger.error("a failed change could not be fully undone",
                     metadata: ["workspace": "\(workspace.id)", "files": "\(unrestored.joined(separator: "; "))"])
    }

    private static func describe(_ unrestored: [String]) -> String {
        unrestored.isEmpty ? "" : " except for \(unrestored.joined(separator: "; "))"
    }

    /// The audit entry, commit and log line of a run change. Run files live in `.loopseal/` and
    /// are not committed; the secret files a run asked for (declared empty) are.
    private func runChange(_ run: WorkflowRun, _ workspace: Workspace, token: TokenRecord, action: String,
                           transition: String? = nil) -> ChangeRecord<WorkflowRun> {
        let paths = git == nil ? [] : run.requestedKeys.compactMap { try? relative(workspace.secretPath(for: $0)) }
        return ChangeRecord(value: run,
                            entries: [AuditEntry(token: token.id, workspace: workspace.id, action: action, run: run.id, transition: transition)],
                            commitPaths: paths,
                            message: "loopseal: \(action) \(run.workflow) run \(run.id) in workspace \(workspace.id)",
                            logLine: "run changed", logMetadata: ["run": "\(run.id)"])
    }

    /// Remembers, as absent before the change, the run's file when new and the secret files it
    /// declared that were not in `existing`.
    private func rememberCreated(_ run: WorkflowRun, existing: Set<String>, in workspace: Workspace, _ rollback: FileRollback) throws {
        rollback.rememberAbsent(try runFile(workspace, run.id))
        for key in run.requestedKeys where !existing.contains("\(key).sealed") {
            rollback.rememberAbsent(try workspace.secretPath(for: key))
        }
    }

    private func runFile(_ workspace: Workspace, _ id: String) throws -> String {
        try RunStore(workspace: workspace).file(id)
    }

    private func secretFileNames(_ workspace: Workspace) -> Set<String> {
        Set((try? FileIO.directoryEntries(workspace.secretsDirectory)) ?? [])
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
func printable(_ text: String) -> String { UntrustedText.display(text) }

/// What one change did: its result, its audit entries, the files to commit (relative to the
/// root) with the commit message, and the log line to write once it is recorded.
private struct ChangeRecord<Value: Sendable>: Sendable {
    var value: Value
    var entries: [AuditEntry]
    var commitPaths: [String]
    var message: String
    var logLine: String
    var logMetadata: Logger.Metadata
}

/// Carries values (``SecureBytes`` is immutable and Sendable) across the queue hop.
private struct ValuesBox: Sendable {
    let values: [(key: String, value: SecureBytes)]
    init(_ values: [(key: String, value: SecureBytes)]) { self.values = values }
}
