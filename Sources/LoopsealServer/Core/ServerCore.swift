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
    let git: GitCommitter?
    /// With `--git-push`: the pulls of the remote this replica shares its repository through.
    public let replica: Replica?
    private let queues = BlockingQueues()
    let sweeps = StaleFileSweep()
    let configs = WorkspaceConfigCache()
    private let listings: ListingCache
    let logger: Logger

    /// A core for `configuration`. Fails when `--git-commit` is set outside a git repository, or
    /// with ``ServerConfiguration/replica`` but no ``ServerConfiguration/tokenRecordKey``.
    /// With ``ServerConfiguration/replica`` it first resets the clone to the remote's tip
    /// (``GitCommitter/startFromRemote(_:)``; fails when the remote cannot be fetched) and
    /// starts pulling once ready. Resumes the runs a crash left half-resumed in every workspace
    /// (``settleRuns()``) before it returns, so the server starts with none.
    public convenience init(configuration: ServerConfiguration) throws {
        try self.init(configuration: configuration, tokens: TokenStore(configuration: configuration))
    }

    /// A core for `configuration` whose tokens are `tokens` (tests: a repository store without a replica).
    init(configuration: ServerConfiguration, tokens: TokenStore) throws {
        self.configuration = configuration
        self.tokens = tokens
        audit = AuditLog(path: configuration.auditLogPath)
        let committing = configuration.gitCommit || configuration.replica != nil
        git = committing ? try GitCommitter(root: configuration.root, replica: configuration.replica, logger: configuration.logger) : nil
        if let git, let settings = configuration.replica {
            try git.startFromRemote(settings)
            replica = Replica(committer: git, settings: settings)
        } else {
            replica = nil
        }
        logger = configuration.logger
        listings = ListingCache(logger: configuration.logger)
        settleRuns()
        replica?.start()
        if let replica { tokens.setUnknownTokenHandler { await replica.pullNow() } }
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

    /// `{id, key, hasValue}` for every secret (each unreadable file with its problem), as
    /// ``SecretService/keys()`` lists them; nothing is decrypted. From memory while nothing
    /// changed (``ListingCache``); what changed is read off the event loop.
    public func listSecrets(_ workspace: Workspace) async throws -> [SecretKeyInfo] {
        try await secretListing(workspace).items
    }

    /// ``listSecrets(_:)`` with its JSON body, encoded once per change of the listing.
    func secretListing(_ workspace: Workspace) async throws -> SecretListing {
        if let listing = listings.current(workspace) { return listing }
        return try await queues.read { try self.listings.refresh(self.secrets(workspace)) }
    }

    /// Creates `key`; 409 when it exists.
    public func createSecret(_ workspace: Workspace, key: String, value: SecureBytes, token: TokenRecord) async throws -> SecretKeyInfo {
        try checkKey(key)
        return try await writeSecret(workspace, SecretWrite(key: key, operation: .create(value), token: token.id))
    }

    /// Sets `key`, creating it when needed. With ``ServerConfiguration/identities`` (opt-in),
    /// a value equal to the current one leaves the file untouched.
    public func upsertSecret(_ workspace: Workspace, key: String, value: SecureBytes, token: TokenRecord) async throws -> SecretKeyInfo {
        try checkKey(key)
        return try await writeSecret(workspace, SecretWrite(key: key, operation: .upsert(value), token: token.id))
    }

    /// Replaces the value of the secret with `id`; 404 when there is none.
    public func updateSecret(_ workspace: Workspace, id: String, value: SecureBytes, token: TokenRecord) async throws -> SecretKeyInfo {
        let key = try await secretKey(workspace, id: id)
        return try await writeSecret(workspace, SecretWrite(key: key, operation: .update(id: id, value), token: token.id))
    }

    /// Deletes the secret with `id`; 404 when there is none.
    public func deleteSecret(_ workspace: Workspace, id: String, token: TokenRecord) async throws {
        let key = try await secretKey(workspace, id: id)
        _ = try await writeSecret(workspace, SecretWrite(key: key, operation: .delete(id: id), token: token.id))
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

    /// Every run of the workspace, newest first. Runs a crash left half-resumed (a child
    /// finished, its parent still pending) are resumed first (see ``settleRuns()``).
    public func runs(_ workspace: Workspace) async throws -> [WorkflowRun] {
        let (runs, halfResumed) = try await queues.read {
            let service = self.runService(workspace)
            let runs = try service.runs()
            return (runs, runs.contains { $0.status == .pending && self.needsSettling($0, service) })
        }
        guard halfResumed else { return runs }
        do {
            _ = try await change(workspace) { rollback in try self.settleRecord(workspace, rollback) }
        } catch {
            logger.warning("pending runs not resumed", metadata: ["workspace": "\(workspace.id)", "error": "\(error)"])
            return runs
        }
        return try await queues.read { try self.runService(workspace).runs() }
    }

    /// Run `id`; 400 for an invalid id, 404 when there is none. A run a crash left
    /// half-resumed (pending on a finished child, or a finished child whose parent still waits
    /// on it) is resumed first, as ``settleRuns()`` does at start.
    public func run(_ workspace: Workspace, id: String) async throws -> WorkflowRun {
        let (run, halfResumed) = try await queues.read {
            let service = self.runService(workspace)
            let run = try service.load(runID: id)
            return (run, self.needsSettling(run, service))
        }
        guard halfResumed else { return run }
        do {
            return try await change(workspace) { rollback in
                let service = self.runService(workspace)
                let scope = try RunChangeScope(workspace, service: service, runID: id, rollback: rollback)
                let settled = try service.settled(try service.load(runID: id))
                return self.settleChange(settled, workspace, entries: scope.finish(token: Self.serverToken), scope: scope)
            }
        } catch {
            logger.warning("pending run not resumed", metadata: ["workspace": "\(workspace.id)", "run": "\(id)", "error": "\(error)"])
            return run
        }
    }

    /// The runs linked to `run`: its parent and the children it started (those that still
    /// load under the id the link names; a missing one is left out).
    public func linkedRuns(_ workspace: Workspace, of run: WorkflowRun) async throws -> (parent: WorkflowRun?, children: [WorkflowRun]) {
        try await queues.read {
            let service = self.runService(workspace)
            func load(_ id: String) -> WorkflowRun? {
                guard let linked = try? service.load(runID: id), linked.id == id else { return nil }
                return linked
            }
            return (run.parent.flatMap { load($0.run) }, run.children.compactMap { load($0.run) })
        }
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

    /// Starts workflow `name` (one listed under `workflows/`; never a path) with `input`. Child
    /// runs its first steps start are audited (`run.start`) and undone with it.
    public func startRun(_ workspace: Workspace, workflow name: String, input: TemplateValue, token: TokenRecord) async throws -> WorkflowRun {
        try await change(workspace) { rollback in
            let service = self.runService(workspace)
            let scope = try RunChangeScope(workspace, service: service, lineage: [], rollback: rollback)
            let (definition, file) = try service.loadListedWorkflow(name)
            let run = try service.start(definition, file: file, args: input)
            return self.runChange(run, workspace, token: token, action: "run.start", scope: scope)
        }
    }

    /// Fires manual transition `transition` of run `runID` with `payload`. A pending run is
    /// refused (409): it goes on by itself when its child finishes. When the run is a child and
    /// finishes, the runs it resumes are audited (`run.resume`) and undone with it.
    public func fire(_ workspace: Workspace, runID: String, transition: String, payload: TemplateValue?, token: TokenRecord) async throws -> WorkflowRun {
        try await change(workspace) { rollback in
            let service = self.runService(workspace)
            let scope = try RunChangeScope(workspace, service: service, runID: runID, rollback: rollback)
            if let run = scope.run, let pending = run.pendingTransition { throw Self.pendingConflict(run, pending) }
            let run = try service.fire(runID: runID, transition: transition, payload: payload)
            return self.runChange(run, workspace, token: token, action: "run.transition", transition: transition, scope: scope)
        }
    }

    /// Stores the values run `runID` asked for and fires its secret-input transition with
    /// `{keys}`. When the run is a child run and completes, its parent resumes in the same call
    /// (the callback): every run file of the lineage is undone together if the change fails.
    public func provideSecrets(_ workspace: Workspace, runID: String, values: [(key: String, value: SecureBytes)],
                               transition: String?, token: TokenRecord) async throws -> WorkflowRun {
        let boxed = ValuesBox(values)
        return try await change(workspace) { rollback in
            let service = self.runService(workspace)
            let scope = try RunChangeScope(workspace, service: service, runID: runID, rollback: rollback)
            for key in boxed.values.map(\.key) {
                if let path = try? workspace.secretPath(for: key) { try rollback.remember(path) }
            }
            let run = try service.provideSecrets(runID: runID, values: boxed.values, transition: transition)
            let keys = boxed.values.map(\.key)
            var record = self.runChange(run, workspace, token: token, action: "run.secrets",
                                        transition: run.history.last(where: \.manual)?.transition, scope: scope)
            record.entries = keys.map { AuditEntry(token: token.id, workspace: workspace.id, action: "secret.upsert", key: $0, run: runID) }
                + record.entries
            record.commitPaths += try keys.map { try self.relative(workspace.secretPath(for: $0)) }
            return record
        }
    }

    // MARK: Settling

    /// The token id audit lines name for what the server does by itself (resuming runs).
    public static let serverToken = "server"

    /// Resumes, in every workspace, the runs a crash left half-resumed: a child run saved
    /// finished whose parent was not resumed yet (the process died between the two). Each is
    /// resumed once (``RunService/settle()``) and audited as `run.resume` by token `server`.
    /// A workspace that cannot be settled is logged and left for the next start (or for
    /// `loopseal run show`/`run list`, which settle too). Returns the runs resumed. Called once
    /// by ``init(configuration:)``, before the server answers any request.
    @discardableResult
    public func settleRuns() -> [String] {
        var resumed: [String] = []
        for id in Workspace.list(root: configuration.root) {
            guard let workspace = try? Workspace(root: configuration.root, id: id) else { continue }
            let service = runService(workspace)
            let pending: [WorkflowRun]
            do {
                pending = try service.runs().filter { $0.status == .pending }
            } catch {
                logger.error("cannot read the runs of a workspace to resume them", metadata: ["workspace": "\(id)", "error": "\(error)"])
                continue
            }
            guard pending.contains(where: { needsSettling($0, service) }) else { continue }
            do {
                resumed += try changeNow(workspace) { rollback in try self.settleRecord(workspace, rollback) }
            } catch {
                logger.error("pending runs not resumed", metadata: ["workspace": "\(id)", "error": "\(error)"])
            }
        }
        return resumed
    }

    /// Whether `run` is half-resumed: pending on a child that has finished, or a finished child
    /// whose parent is still pending on it.
    private func needsSettling(_ run: WorkflowRun, _ service: RunService) -> Bool {
        if run.status == .pending, let child = run.pendingTransition?.child {
            return (try? service.load(runID: child))?.isFinished == true
        }
        if run.isFinished, let link = run.parent, let parent = try? service.load(runID: link.run) {
            return parent.status == .pending && parent.pendingTransition?.child == run.id
        }
        return false
    }

    /// Settles every pending run of `workspace` (their files remembered first); the value is
    /// the ids resumed.
    private func settleRecord(_ workspace: Workspace, _ rollback: FileRollback) throws -> ChangeRecord<[String]> {
        let service = runService(workspace)
        let pending = try service.runs().filter { $0.status == .pending }
        let scope = try RunChangeScope(workspace, service: service, lineage: pending, rollback: rollback)
        let resumed = try service.settle()
        return settleChange(resumed, workspace, entries: scope.finish(token: Self.serverToken), scope: scope)
    }

    private func settleChange<Value: Sendable>(_ value: Value, _ workspace: Workspace, entries: [AuditEntry],
                                               scope: RunChangeScope) -> ChangeRecord<Value> {
        let runs = entries.compactMap(\.run)
        return ChangeRecord(value: value, entries: entries, commitPaths: commitPaths(scope.declaredKeys, workspace),
                            message: "loopseal: resume runs \(runs.joined(separator: ", ")) in workspace \(workspace.id)",
                            logLine: "runs resumed", logMetadata: ["runs": "\(runs.joined(separator: ","))"])
    }

    /// 409 for a transition fired at a run that waits on a child run.
    private static func pendingConflict(_ run: WorkflowRun, _ pending: PendingTransition) -> APIError {
        APIError(.conflict, "pending",
                 "run '\(run.id)' is pending on child run '\(pending.child)' (started by its transition '\(pending.transition)'): it goes on by itself when that run finishes; act on run '\(pending.child)' instead")
    }

    // MARK: Writing

    private func runService(_ workspace: Workspace) -> RunService {
        RunService(workspace: workspace, syncer: configuration.syncer, signingKeys: configuration.signingKeys)
    }

    /// The secrets of `workspace`, written with the configured signing key.
    func secrets(_ workspace: Workspace) -> SecretService {
        SecretService(workspace: workspace, signingKeys: configuration.signingKeys)
    }

    /// A secret write, queued with the others waiting for `workspace` and applied in their batch
    /// (``applySecretWrites(_:_:finishing:answer:)``): audited (`secret.ACTION`) and, with
    /// `--git-commit`, committed; answered once its batch is durable.
    private func writeSecret(_ workspace: Workspace, _ write: SecretWrite) async throws -> SecretKeyInfo {
        let finishing = queues.finishing(workspace: workspace.id)
        return try await queues.batched(workspace: workspace.id, write) { writes, answer in
            self.applySecretWrites(workspace, writes, finishing: finishing, answer: answer)
        }
    }

    /// One change to a workspace, on its write queue, that succeeds whole or not at all: the
    /// audit log is opened first (a log that cannot be written refuses the change before
    /// anything is touched); `body` remembers the files it changes in the ``FileRollback``; then
    /// come the git commit (with `--git-commit`) and the audit line. When `body`, the commit or
    /// the audit line fails, every remembered file is put back and the error says so.
    private func change<Value: Sendable>(_ workspace: Workspace,
                                         _ body: @escaping @Sendable (FileRollback) throws -> ChangeRecord<Value>) async throws -> Value {
        try await queues.write(workspace: workspace.id) { try self.changeNow(workspace, body) }
    }

    /// ``change(_:_:)`` on the calling thread: for the start, before any request is served.
    private func changeNow<Value: Sendable>(_ workspace: Workspace,
                                            _ body: (FileRollback) throws -> ChangeRecord<Value>) throws -> Value {
        let appender = try audit.appender()
        let rollback = try FileRollback(workspace: workspace)
        let record: ChangeRecord<Value>
        do {
            record = try body(rollback)
        } catch {
            rollback.noteChanged()
            reportUnrestored(rollback.restore(workspace), workspace)
            throw error
        }
        rollback.noteChanged()
        try commitAndAudit(workspace, entries: record.entries, commitPaths: record.commitPaths, message: record.message,
                           appender: appender, rollback: rollback)
        // A settle another writer had already done changed nothing: nothing to log.
        guard !record.entries.isEmpty else { return record.value }
        logChange(record.logLine, workspace, entries: record.entries, record.logMetadata)
        return record.value
    }

    /// Records a change whose files `rollback` remembers (``FileRollback/noteChanged()`` done):
    /// the git commit of `commitPaths` (with `--git-commit`), then `entries` appended to the
    /// audit log in one write and fsync. When either fails, every remembered file is put back
    /// (a commit already made is undone by another), and the error says so.
    func commitAndAudit(_ workspace: Workspace, entries: [AuditEntry], commitPaths: [String], message: String,
                        appender: AuditAppender, rollback: FileRollback) throws {
        var committed = false
        var entries = entries
        if let git, !commitPaths.isEmpty {
            do {
                let outcome = try git.commit(paths: commitPaths, message: message)
                committed = outcome.committed
                entries = noteReplaced(outcome.replaced, in: entries, workspace)
            } catch let failure as PushFailure {
                let unrestored = rollback.restore(workspace)
                reportUnrestored(unrestored, workspace)
                logger.error("a batch could not be pushed, so it was undone", metadata: ["workspace": "\(workspace.id)", "error": "\(failure)"])
                throw APIError.pushFailed(failure, undone: Self.describe(unrestored))
            } catch {
                let unrestored = rollback.restore(workspace)
                reportUnrestored(unrestored, workspace)
                throw APIError(.internalServerError, "git_commit_failed",
                               "\(error), so the change was undone\(Self.describe(unrestored)): fix the repository at \(configuration.root) (git status shows why), then retry")
            }
        }
        do {
            try appender.append(entries)
        } catch {
            let unrestored = rollback.restore(workspace)
            reportUnrestored(unrestored, workspace)
            var undo = ""
            if committed, let git {
                let subject = message.prefix { $0 != "\n" }
                let undoMessage = subject.replacingOccurrences(of: "loopseal: ", with: "loopseal: undo ")
                    + " (its audit line could not be written)" + message.dropFirst(subject.count)
                do {
                    _ = try git.commit(paths: commitPaths, message: undoMessage)
                } catch {
                    undo = "; its commit could not be undone (\(error)): revert it by hand"
                }
            }
            let message = (error as? APIError)?.message ?? "\(error)"
            throw APIError(.internalServerError, "audit_log", "\(message); the change was undone\(Self.describe(unrestored))\(undo)")
        }
    }

    /// `entries` with ``AuditEntry/replaced`` set on those whose key's file is in `replaced`.
    private func noteReplaced(_ replaced: [String: String], in entries: [AuditEntry], _ workspace: Workspace) -> [AuditEntry] {
        guard !replaced.isEmpty else { return entries }
        return entries.map { entry in
            var entry = entry
            if let key = entry.key, let path = try? relative(workspace.secretPath(for: key)) { entry.replaced = replaced[path] }
            return entry
        }
    }

    /// The info log line of a change recorded: its workspace, last action and token, and `extra`.
    func logChange(_ line: String, _ workspace: Workspace, entries: [AuditEntry], _ extra: Logger.Metadata) {
        var metadata: Logger.Metadata = ["workspace": "\(workspace.id)", "action": "\(entries.last?.action ?? "")"]
        metadata.merge(extra) { _, new in new }
        if let token = entries.last?.token { metadata["token"] = "\(token)" }
        logger.info("\(line)", metadata: metadata)
    }

    func reportUnrestored(_ unrestored: [String], _ workspace: Workspace) {
        guard !unrestored.isEmpty else { return }
        logger.error("a failed change could not be fully undone",
                     metadata: ["workspace": "\(workspace.id)", "files": "\(unrestored.joined(separator: "; "))"])
    }

    static func describe(_ unrestored: [String]) -> String {
        unrestored.isEmpty ? "" : " except for \(unrestored.joined(separator: "; "))"
    }

    /// The audit entries, commit and log line of a run change: `action` on `run`, then what
    /// `scope` saw move (runs resumed, child runs started). Run files live in `.loopseal/` and
    /// are not committed; the secret files the runs asked for (declared empty) are.
    private func runChange(_ run: WorkflowRun, _ workspace: Workspace, token: TokenRecord, action: String,
                           transition: String? = nil, scope: RunChangeScope) -> ChangeRecord<WorkflowRun> {
        let entries = [AuditEntry(token: token.id, workspace: workspace.id, action: action, run: run.id, transition: transition)]
            + scope.finish(token: token.id, main: run.id)
        return ChangeRecord(value: run, entries: entries,
                            commitPaths: commitPaths(run.requestedKeys + scope.declaredKeys, workspace),
                            message: "loopseal: \(action) \(run.workflow) run \(run.id) in workspace \(workspace.id)",
                            logLine: "run changed", logMetadata: ["run": "\(run.id)"])
    }

    /// The secret files of `keys`, relative to the root, once each; none without `--git-commit`.
    private func commitPaths(_ keys: [String], _ workspace: Workspace) -> [String] {
        guard git != nil else { return [] }
        var seen: Set<String> = []
        return keys.filter { seen.insert($0).inserted }.compactMap { try? relative(workspace.secretPath(for: $0)) }
    }

    func relative(_ path: String) -> String {
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
