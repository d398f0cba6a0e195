import Foundation
import LoopsealStore

#if canImport(Glibc)
import Glibc
#endif

/// `--git-push`: each commit goes to the remote before its requests are answered. A push
/// rejected because another replica pushed first is rebuilt on the remote's new tip with
/// plumbing in a temporary index, never by a rebase or reset of the live work tree (other
/// workspaces' batches may have written files not committed yet). There is one file per
/// secret, so only the same key can conflict, and the later write (this one) wins; the commit
/// message and the audit log name the write it replaced.
extension GitCommitter {
    /// Pushes `commit` (a child of `parent`) to `settings`' branch, rebuilding it on the
    /// remote's tip and retrying (with a little jitter) while other pushes win the race; after a
    /// rebuilt push, `HEAD` and the work tree move to the commit pushed. Returns the paths whose
    /// concurrent write was replaced → that write's short sha. Throws ``PushFailure`` when the
    /// remote cannot be reached, refuses the push, or is still moving after the last attempt.
    /// Call with the lock held.
    func push(_ commit: String, parent: String?, message: String, settings: ReplicaSettings) throws -> [String: String] {
        let changed = parent.map { GitShell.paths(shell.run(["diff-tree", "-r", "--name-only", "-z", $0, commit])) } ?? []
        var candidate = commit
        var base = parent
        var replaced: [String: String] = [:]
        let attempts = max(1, settings.pushAttempts)
        for attempt in 1...attempts {
            let pushed = shell.run(["push", "-q", "--porcelain", settings.remote, "\(candidate):refs/heads/\(settings.branch)"])
            if pushed.succeeded {
                if candidate != commit {
                    switchWorkTree(from: commit, to: candidate)
                } else {
                    unswitched = nil
                }
                return replaced
            }
            let fetched = fetch(settings)
            guard fetched.succeeded, let tip = shell.commit(settings.trackingRef) else {
                throw PushFailure(remote: settings.remote, branch: settings.branch, detail: "\(pushed.said); fetching it failed too: \(fetched.said)")
            }
            // Nothing new on the remote: it refused the push for another reason (a hook, permissions).
            guard tip != base else { throw PushFailure(remote: settings.remote, branch: settings.branch, detail: pushed.said) }
            guard attempt < attempts else {
                throw PushFailure(remote: settings.remote, branch: settings.branch,
                                  detail: "other pushes won the race \(attempts) times in a row; retry")
            }
            (candidate, replaced) = try rebuild(commit, parent: parent, changed: changed, onto: tip, message: message)
            base = tip
            usleep(UInt32.random(in: 2_000...(10_000 * UInt32(attempt))))
        }
        throw PushFailure(remote: settings.remote, branch: settings.branch, detail: "no push was attempted")
    }

    /// Fetches `settings`' branch into its remote-tracking ref.
    func fetch(_ settings: ReplicaSettings) -> GitShell.Output {
        shell.run(["fetch", "-q", "--no-tags", settings.remote, "+refs/heads/\(settings.branch):\(settings.trackingRef)"])
    }

    /// `commit` made again on `tip`: `tip`'s tree with exactly the `changed` paths set to
    /// `commit`'s entries (removed where it has none), with `message` plus one line for each of
    /// those paths `tip` had changed since `parent`. Built in a temporary index; the live index
    /// and work tree are not touched.
    private func rebuild(_ commit: String, parent: String?, changed: [String], onto tip: String,
                         message: String) throws -> (commit: String, replaced: [String: String]) {
        let index = "\(gitDirectory)/loopseal-rebuild-\(UUID().uuidString).index"
        defer { unlink(index) }
        let temporary = shell.with(["GIT_INDEX_FILE": index])
        try temporary.checked("git read-tree", ["read-tree", tip])
        if !changed.isEmpty {
            let entries = try temporary.checked("git ls-tree", ["ls-tree", "-z", commit, "--"] + changed)
            let kept = Set(GitShell.paths(entries).compactMap { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) })
            let removed = changed.filter { !kept.contains($0) }.map { "0 \(String(repeating: "0", count: 40))\t\($0)\0" }.joined()
            try temporary.checked("git update-index", ["update-index", "-z", "--index-info"], input: Array((entries.stdout + removed).utf8))
        }
        let tree = try temporary.checked("git write-tree", ["write-tree"]).line
        var replaced: [String: String] = [:]
        if let parent, !changed.isEmpty {
            for path in GitShell.paths(shell.run(["diff-tree", "-r", "--name-only", "-z", parent, tip, "--"] + changed)) {
                let writer = shell.run(["log", "-1", "--format=%h", "\(parent)..\(tip)", "--", path]).line
                replaced[path] = writer.isEmpty ? String(tip.prefix(7)) : writer
            }
        }
        let notes = replaced.sorted { $0.key < $1.key }.map { "replaced a concurrent write from \($0.value): \($0.key)" }
        let text = notes.isEmpty ? message : message + (message.contains("\n\n") ? "\n" : "\n\n") + notes.joined(separator: "\n")
        let rebuilt = try shell.checked("git commit-tree", ["commit-tree", tree, "-p", tip, "-F", "-"], input: Array(text.utf8)).line
        for (path, writer) in replaced.sorted(by: { $0.key < $1.key }) {
            logger.notice("a concurrent write from another replica was replaced", metadata: ["path": "\(path)", "by": "\(writer)"])
        }
        return (rebuilt, replaced)
    }

    /// Moves `HEAD`, the index and the work tree from `local` to `target` for every path that
    /// differs (`git read-tree -m -u`, then `git update-ref`), holding the writer lock of each
    /// workspace those paths are in, so no write of this or another process lands in between.
    /// A path being written (a local change git will not overwrite) leaves everything as it was,
    /// remembered in ``unswitched`` for the next pull. Returns whether it moved. Lock held.
    @discardableResult
    func switchWorkTree(from local: String, to target: String) -> Bool {
        let paths = GitShell.paths(shell.run(["diff-tree", "-r", "--name-only", "-z", local, target]))
        let workspaces = Set(paths.compactMap { path -> String? in
            let parts = path.split(separator: "/")
            return parts.count > 2 && parts[0] == "workspaces" ? String(parts[1]) : nil
        }).filter { FileIO.isDirectory("\(root)/workspaces/\($0)") }.sorted()
        let moved: Bool
        do {
            moved = try holdingLocks(workspaces[...]) {
                let read = shell.run(["read-tree", "-m", "-u", local, target])
                guard read.succeeded else {
                    logger.info("the work tree waits for the next pull to catch up with the remote", metadata: ["reason": "\(read.said)"])
                    return false
                }
                let update = shell.run(["update-ref", "-m", "loopseal: follow the remote", "HEAD", target, local])
                guard update.succeeded else {
                    logger.error("the work tree moved to the remote's tip but HEAD could not: run 'git reset --soft' to it by hand",
                                 metadata: ["tip": "\(target)", "error": "\(update.said)"])
                    return false
                }
                return true
            }
        } catch {
            logger.info("the work tree waits for the next pull to catch up with the remote", metadata: ["reason": "\(error)"])
            moved = false
        }
        unswitched = moved ? nil : (local, target)
        return moved
    }

    private func holdingLocks(_ workspaces: ArraySlice<String>, _ body: () -> Bool) throws -> Bool {
        guard let first = workspaces.first else { return body() }
        return try WorkspaceLock.withLock(at: "\(root)/workspaces/\(first)/.loopseal/lock", timeout: 2) {
            try holdingLocks(workspaces.dropFirst(), body)
        }
    }
}
