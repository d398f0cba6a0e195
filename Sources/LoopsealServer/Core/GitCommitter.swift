import Foundation
import Logging
import LoopsealStore

/// Commits each change the server makes (`--git-commit`). Messages name the workspace, key and
/// action, never a value; only the changed paths are committed (`git commit -- PATHS`). Commits
/// are serialized: workspaces write on their own queues, but share one repository and index.
///
/// With ``ReplicaSettings`` (`--git-push`) each commit is pushed before ``commit(paths:message:)``
/// returns (GitCommitter+Push.swift), and the same lock serializes the pulls
/// (GitCommitter+Pull.swift), so no two git processes ever run in the clone at once.
final class GitCommitter: @unchecked Sendable {
    /// A failed git step: which, and what git printed (never a value: only paths are staged).
    struct Failure: Error, CustomStringConvertible {
        let step: String
        let output: String
        var description: String { "\(step) failed: \(output.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))" }
    }

    /// What a commit did.
    struct Outcome: Sendable {
        /// False when the change left the tree as it was: nothing was committed.
        var committed: Bool
        /// Paths whose write on the remote, made concurrently by another replica, this commit
        /// replaced (the later write wins) → the short sha of that write's commit.
        var replaced: [String: String] = [:]
    }

    let root: String
    let shell: GitShell
    /// Set with `--git-push`.
    let replica: ReplicaSettings?
    let logger: Logger
    /// The repository's git directory (absolute).
    let gitDirectory: String
    private let lock = NSLock()
    /// After a push rebuilt on the remote's tip whose work tree could not be switched to it yet
    /// (a file it changes was being written): local `HEAD` and the commit pushed in its place,
    /// which holds the same writes. Read and written under the lock.
    var unswitched: (local: String, pushed: String)?

    /// Checks that `root` is inside a git work tree; supplies an author when git has none.
    init(root: String, replica: ReplicaSettings? = nil, logger: Logger = Logger(label: "loopseal.server")) throws {
        self.root = root
        self.replica = replica
        self.logger = logger
        shell = GitShell(root: root)
        let flag = replica == nil ? "--git-commit" : "--git-push"
        let probe = shell.run(["rev-parse", "--absolute-git-dir"])
        guard probe.succeeded, shell.run(["rev-parse", "--is-inside-work-tree"]).line == "true" else {
            throw APIError(.internalServerError, "git", "\(flag): \(root) is not inside a git repository (\(probe.said)); run 'git init' there or leave out \(flag)")
        }
        gitDirectory = probe.line
    }

    /// Runs `body` holding the lock every git command in the clone runs under.
    func locked<Value>(_ body: () throws -> Value) rethrows -> Value {
        try lock.withLock(body)
    }

    /// Stages `paths` (relative to the root; deletions included) and commits them with `message`;
    /// with `--git-push`, pushes the commit too (``push(_:parent:message:settings:)``). Paths
    /// that neither exist nor are tracked, and a change that leaves the tree as it was, commit
    /// nothing. When the commit fails, the paths are unstaged again (the index is left as it
    /// was) and ``Failure`` is thrown; when the push fails, the branch and index are moved back
    /// to the commit's parent too and ``PushFailure`` is thrown: no commit that is not on the
    /// remote is left behind to overwrite a newer write later.
    func commit(paths: [String], message: String) throws -> Outcome {
        try locked { try commitLocked(paths: paths, message: message) }
    }

    /// ``commit(paths:message:)``, the lock held.
    func commitLocked(paths: [String], message: String) throws -> Outcome {
        let present = paths.filter { path in
            FileManager.default.fileExists(atPath: "\(root)/\(path)") || !shell.run(["ls-files", "--", path]).stdout.isEmpty
        }
        guard !present.isEmpty else { return Outcome(committed: false) }
        let parent = shell.commit("HEAD")
        let add = shell.run(["add", "-A", "--"] + present)
        guard add.succeeded else {
            unstage(present)
            throw Failure(step: "git add", output: add.said)
        }
        if shell.run(["diff", "--cached", "--quiet", "--"] + present).succeeded { return Outcome(committed: false) }
        let commit = shell.run(["commit", "-q", "-m", message, "--"] + present)
        guard commit.succeeded else {
            unstage(present)
            throw Failure(step: "git commit", output: commit.said)
        }
        guard let replica else { return Outcome(committed: true) }
        guard let made = shell.commit("HEAD") else { throw Failure(step: "git rev-parse HEAD", output: "no commit after git commit") }
        do {
            return Outcome(committed: true, replaced: try push(made, parent: parent, message: message, settings: replica))
        } catch {
            takeBack(made, parent: parent, paths: present)
            throw error
        }
    }

    /// Moves the branch from `commit` back to `parent` and the index entries of `paths` with it;
    /// the work tree keeps the commit's files for the caller's rollback to put back.
    private func takeBack(_ commit: String, parent: String?, paths: [String]) {
        let moved = parent.map { shell.run(["update-ref", "-m", "loopseal: push failed", "HEAD", $0, commit]) }
            ?? shell.run(["update-ref", "-d", "HEAD", commit])
        if !moved.succeeded {
            logger.error("a commit that could not be pushed could not be taken back: reset the branch by hand",
                         metadata: ["commit": "\(commit)", "error": "\(moved.said)"])
        }
        unstage(paths)
    }

    /// Puts the index entries of `paths` back to `HEAD`'s (a path `HEAD` lacks leaves the index).
    private func unstage(_ paths: [String]) {
        if shell.commit("HEAD") != nil {
            _ = shell.run(["reset", "-q", "HEAD", "--"] + paths)
        } else {
            _ = shell.run(["rm", "-q", "--cached", "--ignore-unmatch", "-r", "--"] + paths)
        }
    }
}
