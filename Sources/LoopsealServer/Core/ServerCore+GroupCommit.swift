import Foundation
import LoopsealCrypto
import LoopsealStore

/// Group commit: the secret writes waiting in a workspace's write queue are applied together,
/// so a batch pays for one folder fsync, one audit fsync and one git commit, and the files'
/// own fsyncs run at the same time instead of one after another.
extension ServerCore {
    /// Applies one batch of the writes queued for `workspace` and answers it: with
    /// `--git-commit` by ``commitSecretWrites(_:_:)``, else by
    /// ``startSecretWrites(_:_:finishing:answer:)``.
    func applySecretWrites(_ workspace: Workspace, _ writes: [SecretWrite], finishing: DispatchQueue,
                           answer: @escaping @Sendable ([Result<SecretKeyInfo, any Error>]) -> Void) {
        guard git == nil else { return answer(commitSecretWrites(workspace, writes)) }
        startSecretWrites(workspace, writes, finishing: finishing, answer: answer)
    }

    /// A batch without `--git-commit`, its audit written ahead, in a pipeline:
    /// 1. holding the workspace lock once, each write is decided as in ``commitSecretWrites(_:_:)``
    ///    (a write refused fails alone, changing nothing);
    /// 2. the files the others changed are written to temporary files, and while those are
    ///    fsynced, the batch's audit lines are appended and fsynced; only then are the files
    ///    renamed into place, so no change is ever on disk without its audit line;
    /// 3. the `secrets/` fsync that makes the renames durable is left to `finishing`, which
    ///    answers the batch once it is done, while this queue starts the next batch.
    ///
    /// No request is answered before its batch is durable. Nothing is renamed before the audit
    /// lines are durable, so a failing audit log changes nothing (every write of the batch gets
    /// its error); a file that cannot be written before then gets each request applied again
    /// alone (``commitSecretWrites(_:_:)``), so it fails only its own. A flush that fails after
    /// the audit lines were written (a failing disk) fails the batch with `flush_failed`, saying
    /// the audit log names writes that were not made, or may not survive a crash.
    func startSecretWrites(_ workspace: Workspace, _ writes: [SecretWrite], finishing: DispatchQueue,
                           answer: @escaping @Sendable ([Result<SecretKeyInfo, any Error>]) -> Void) {
        let (appender, rollback, sweep): (AuditAppender, FileRollback, Bool)
        do {
            (appender, rollback, sweep) = try openBatch(workspace)
        } catch {
            return answer(writes.map { _ in .failure(error) })
        }
        let identities = upsertIdentities(writes)
        var results: [Result<SecretKeyInfo, any Error>] = []
        var entries: [AuditEntry] = []
        var deciding = true
        var audit: Result<Void, any Error>?
        let folder = FolderFlush(workspace.secretsDirectory)
        do {
            try secrets(workspace).batch(removingStaleFiles: sweep, configs: configs) { batch in
                results = writes.map { write in Result { try apply(write, to: batch, identities: identities) } }
                entries = auditEntries(writes, results, workspace)
                deciding = false
                let paths = try batch.paths
                for path in paths { try rollback.remember(path) }
                let reused = try batch.write(reusing: rollback.spares(paths.count), flushingFolder: false) {
                    audit = Result { if !entries.isEmpty { try appender.append(entries) } }
                    try audit?.get()
                }
                if !paths.isEmpty { folder.start(alsoEmptied: reused.isEmpty ? nil : rollback.directory) }
            }
        } catch {
            if deciding { return answer(writes.map { _ in .failure(error) }) }
            let keys = entries.compactMap(\.key).joined(separator: ", ")
            switch audit {
            case .failure?:
                let message = (error as? APIError)?.message ?? "\(error)"
                let failure = APIError(.internalServerError, "audit_log", "\(message); nothing was changed")
                return answer(results.map { $0.flatMap { _ in .failure(failure) } })
            case .success?:
                logger.error("a batch failed after its audit lines were written: the audit log names writes that may not have been made",
                             metadata: ["workspace": "\(workspace.id)", "keys": "\(keys)", "error": "\(error)"])
                let failure = APIError(.internalServerError, "flush_failed",
                                       "\(error), after the audit log had recorded the writes (\(keys)): some may not have been made; check the disk and run 'loopseal verify', then write them again")
                return answer(results.map { $0.flatMap { _ in .failure(failure) } })
            case nil where writes.count > 1:
                logger.warning("a batch of writes could not be written; applying its requests one at a time",
                               metadata: ["workspace": "\(workspace.id)", "requests": "\(writes.count)", "error": "\(error)"])
                return answer(writes.flatMap { commitSecretWrites(workspace, [$0]) })
            case nil:
                return answer([.failure(error)])
            }
        }
        rollback.recycle(keeping: max(32, 2 * writes.count))
        let answers = Answers(results)
        let written = entries
        finishing.async { [logger] in
            if let error = folder.wait() {
                let keys = written.compactMap(\.key).joined(separator: ", ")
                logger.error("the secrets folder could not be flushed after a batch was written: its writes may not survive a crash",
                             metadata: ["workspace": "\(workspace.id)", "keys": "\(keys)", "error": "\(error)"])
                let failure = APIError(.internalServerError, "flush_failed",
                                       "\(error): the writes (\(keys)) are made and audited but may not survive a crash: check the disk, then write them again")
                return answer(answers.results.map { $0.flatMap { _ in .failure(failure) } })
            }
            if logger.logLevel <= .info {
                for entry in written { self.logChange("secret changed", workspace, entries: [entry], ["key": "\(entry.key ?? "")"]) }
            }
            answer(answers.results)
        }
    }

    /// Applies `writes` (queued for `workspace`, oldest first) as one batch and returns each
    /// request's result, in order:
    /// 1. holding the workspace lock once, each write is decided against the files as they are
    ///    plus the writes before it in the batch (same key twice: the later one wins); a write
    ///    refused (409, 404, a value too large, an unreadable file) fails alone, changing nothing;
    /// 2. the files the others changed are written to temporary files fsynced all at once, then
    ///    renamed in place;
    /// 3. while `secrets/` is fsynced once (making the renames durable), one git commit (with
    ///    `--git-commit`) and one audit append and fsync hold every write of the batch, one audit
    ///    line per request.
    ///
    /// No request is answered before its batch is durable: the folder fsync and the audit fsync
    /// both done (and, with `--git-push`, its commit pushed). When step 2 or the commit or audit
    /// of step 3 fails, every file of the batch is put back (``FileRollback``) and each request
    /// is applied again alone, so a failure fails only the requests it belongs to; a push that
    /// failed fails them all at once (`push_failed`: the remote, not a request, is at fault).
    /// When the folder fsync fails (a failing disk), the files are put back too and every
    /// request fails; their audit lines were already written, and the error and the log say so. When the batch cannot start (the audit log cannot be
    /// opened, the workspace lock or `workspace.yaml` cannot be had), nothing was touched and
    /// every request gets that error, as each would alone.
    func commitSecretWrites(_ workspace: Workspace, _ writes: [SecretWrite]) -> [Result<SecretKeyInfo, any Error>] {
        switch attemptBatch(workspace, writes) {
        case .applied(let results):
            return results
        case .undone(let error) where writes.count > 1 && (error as? APIError)?.code != APIError.pushFailedCode:
            logger.warning("a batch of writes was undone; applying its requests one at a time",
                           metadata: ["workspace": "\(workspace.id)", "requests": "\(writes.count)", "error": "\(error)"])
            return writes.flatMap { commitSecretWrites(workspace, [$0]) }
        case .undone(let error), .refused(let error), .failed(let error):
            return writes.map { _ in .failure(error) }
        }
    }

    private enum BatchOutcome {
        /// Every request's result; those that succeeded are durable and audited.
        case applied([Result<SecretKeyInfo, any Error>])
        /// Writing, committing or auditing failed and the batch's files were put back.
        case undone(any Error)
        /// The folder fsync failed after the audit lines were written; the files were put back.
        case failed(any Error)
        /// The batch could not start; nothing was touched.
        case refused(any Error)
    }

    private func attemptBatch(_ workspace: Workspace, _ writes: [SecretWrite]) -> BatchOutcome {
        let (appender, rollback, sweep): (AuditAppender, FileRollback, Bool)
        do {
            (appender, rollback, sweep) = try openBatch(workspace)
        } catch {
            return .refused(error)
        }
        let identities = upsertIdentities(writes)
        var results: [Result<SecretKeyInfo, any Error>] = []
        var writing = false
        let folder = FolderFlush(workspace.secretsDirectory)
        do {
            try secrets(workspace).batch(removingStaleFiles: sweep, configs: configs) { batch in
                results = writes.map { write in Result { try apply(write, to: batch, identities: identities) } }
                writing = true
                let paths = try batch.paths
                for path in paths { try rollback.remember(path) }
                let reused = try batch.write(reusing: rollback.spares(paths.count), flushingFolder: false)
                if !paths.isEmpty { folder.start(alsoEmptied: reused.isEmpty ? nil : rollback.directory) }
            }
        } catch {
            guard writing else { return .refused(error) }
            _ = folder.wait()
            rollback.noteChanged()
            reportUnrestored(rollback.restore(workspace), workspace)
            return .undone(error)
        }
        rollback.noteChanged()
        let done = zip(writes, results).compactMap { write, result in (try? result.get()).map { _ in write } }
        guard !done.isEmpty else { return .applied(results) }
        let entries = auditEntries(writes, results, workspace)
        var seen: Set<String> = []
        let commitPaths = git == nil ? [] : done.compactMap { try? relative(workspace.secretPath(for: $0.key)) }.filter { seen.insert($0).inserted }
        do {
            try commitAndAudit(workspace, entries: entries, commitPaths: commitPaths, message: commitMessage(done, workspace),
                               appender: appender, rollback: rollback)
        } catch {
            _ = folder.wait()
            return .undone(error)
        }
        if let error = folder.wait() {
            let unrestored = rollback.restore(workspace)
            reportUnrestored(unrestored, workspace)
            let keys = done.map(\.key).joined(separator: ", ")
            logger.error("the secrets folder could not be flushed after the audit lines were written: the audit log names writes that were undone",
                         metadata: ["workspace": "\(workspace.id)", "keys": "\(keys)", "error": "\(error)"])
            return .failed(APIError(.internalServerError, "flush_failed",
                                    "\(error), so the change was undone\(Self.describe(unrestored)); the audit log already names it (\(keys)): check the disk, then retry"))
        }
        if logger.logLevel <= .info {
            for (write, entry) in zip(done, entries) { logChange("secret changed", workspace, entries: [entry], ["key": "\(write.key)"]) }
        }
        // Room for the next batch: twice this one's files in spares, at least 32.
        rollback.recycle(keeping: max(32, 2 * writes.count))
        return .applied(results)
    }

    /// What a batch needs before it touches anything: the audit log open (one that cannot be
    /// written refuses the batch), a rollback for its files, and whether the workspace is due a
    /// sweep of stale files.
    private func openBatch(_ workspace: Workspace) throws -> (AuditAppender, FileRollback, sweep: Bool) {
        let sweep = sweeps.due(workspace.id)
        return (try audit.appender(), try FileRollback(workspace: workspace, removingStale: sweep), sweep)
    }

    /// The identities an unchanged upsert is told by (loaded once per batch, when it has upserts).
    private func upsertIdentities(_ writes: [SecretWrite]) -> Result<[Identity], any Error> {
        Result {
            guard writes.contains(where: { if case .upsert = $0.operation { true } else { false } }) else { return [] }
            return try configuration.identities?.loadIfAny() ?? []
        }
    }

    /// One audit line per write that succeeded, in order.
    private func auditEntries(_ writes: [SecretWrite], _ results: [Result<SecretKeyInfo, any Error>], _ workspace: Workspace) -> [AuditEntry] {
        zip(writes, results).compactMap { write, result in
            guard case .success = result else { return nil }
            return AuditEntry(token: write.token, workspace: workspace.id, action: "secret.\(write.action)", key: write.key)
        }
    }

    private func apply(_ write: SecretWrite, to batch: SecretWriteBatch, identities: Result<[Identity], any Error>) throws -> SecretKeyInfo {
        switch write.operation {
        case .create(let value): try batch.create(key: write.key, value: value)
        case .upsert(let value): try batch.upsert(key: write.key, value: value, identities: identities.get())
        case .update(let id, let value): try batch.update(id: id, value: value)
        case .delete(let id): try batch.delete(id: id)
        }
    }

    /// One write: `loopseal: ACTION KEY in workspace W`, as before batches; several: a count,
    /// then one line per write.
    private func commitMessage(_ writes: [SecretWrite], _ workspace: Workspace) -> String {
        if writes.count == 1, let write = writes.first {
            return "loopseal: \(write.action) \(write.key) in workspace \(workspace.id)"
        }
        return "loopseal: \(writes.count) changes in workspace \(workspace.id)\n\n"
            + writes.map { "\($0.action) \($0.key)" }.joined(separator: "\n")
    }
}

/// The fsync of a folder, run on a thread of its own while the batch records itself; with the
/// folder spares were taken from, fsynced at the same time on another thread, so a spare now
/// in `secrets/` is never found in both places after a power loss.
private final class FolderFlush: @unchecked Sendable {
    private let path: String
    private let queues = [DispatchQueue(label: "loopseal.server.folder-flush"), DispatchQueue(label: "loopseal.server.folder-flush")]
    private let lock = NSLock()
    private var errors: [any Error] = []
    private var started = false

    init(_ path: String) {
        self.path = path
    }

    /// Starts the fsync of the folder, and of `emptied` when given (once).
    func start(alsoEmptied emptied: String? = nil) {
        guard !started else { return }
        started = true
        for (index, folder) in [path, emptied].enumerated() {
            guard let folder else { continue }
            queues[index].async {
                do { try FileIO.flushDirectory(folder) } catch { self.lock.withLock { self.errors.append(error) } }
            }
        }
    }

    /// Waits for the fsyncs started, if any, and returns an error of theirs.
    func wait() -> (any Error)? {
        for queue in queues { queue.sync {} }
        return lock.withLock { errors.first }
    }
}

/// A batch's results, handed to the thread that answers it.
private struct Answers: @unchecked Sendable {
    let results: [Result<SecretKeyInfo, any Error>]
    init(_ results: [Result<SecretKeyInfo, any Error>]) { self.results = results }
}
