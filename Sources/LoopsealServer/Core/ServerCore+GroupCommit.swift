import Foundation
import LoopsealCrypto
import LoopsealStore

/// Group commit: the secret writes waiting in a workspace's write queue are applied together,
/// so a batch pays for one folder fsync, one audit fsync and one git commit, and the files'
/// own fsyncs run at the same time instead of one after another.
extension ServerCore {
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
    /// both done. When step 2 or the commit or audit of step 3 fails, every file of the batch is
    /// put back (``FileRollback``) and each request is applied again alone, so a failure fails
    /// only the requests it belongs to. When the folder fsync fails (a failing disk), the files
    /// are put back too and every request fails; their audit lines were already written, and
    /// the error and the log say so. When the batch cannot start (the audit log cannot be
    /// opened, the workspace lock or `workspace.yaml` cannot be had), nothing was touched and
    /// every request gets that error, as each would alone.
    func commitSecretWrites(_ workspace: Workspace, _ writes: [SecretWrite]) -> [Result<SecretKeyInfo, any Error>] {
        switch attemptBatch(workspace, writes) {
        case .applied(let results):
            return results
        case .undone(let error) where writes.count > 1:
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
        let appender: AuditAppender
        let rollback: FileRollback
        do {
            appender = try audit.appender()
            rollback = try FileRollback(workspace: workspace)
        } catch {
            return .refused(error)
        }
        let identities = Result { () throws -> [Identity] in
            guard writes.contains(where: { if case .upsert = $0.operation { true } else { false } }) else { return [] }
            return try configuration.identities?.loadIfAny() ?? []
        }
        var results: [Result<SecretKeyInfo, any Error>] = []
        var writing = false
        let folder = FolderFlush(workspace.secretsDirectory)
        do {
            try secrets(workspace).batch(removingStaleFiles: sweeps.due(workspace.id)) { batch in
                results = writes.map { write in Result { try apply(write, to: batch, identities: identities) } }
                writing = true
                let paths = try batch.paths
                for path in paths { try rollback.remember(path) }
                try batch.write(reusing: rollback.spares(paths.count), flushingFolder: false)
                if !paths.isEmpty { folder.start() }
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
        let entries = done.map { AuditEntry(token: $0.token, workspace: workspace.id, action: "secret.\($0.action)", key: $0.key) }
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

/// The fsync of a folder, run on a thread of its own while the batch records itself.
private final class FolderFlush: @unchecked Sendable {
    private let path: String
    private let queue = DispatchQueue(label: "loopseal.server.folder-flush")
    /// Set on `queue` only; read through it.
    private var error: (any Error)?
    private var started = false

    init(_ path: String) {
        self.path = path
    }

    /// Starts the fsync (once).
    func start() {
        guard !started else { return }
        started = true
        queue.async { do { try FileIO.flushDirectory(self.path) } catch { self.error = error } }
    }

    /// Waits for the fsync started, if any, and returns its error.
    func wait() -> (any Error)? {
        queue.sync { error }
    }
}
