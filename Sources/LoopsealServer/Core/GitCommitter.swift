import Foundation
import LoopsealSystem
import Logging

/// Commits each change the server makes (`--git-commit`). Messages name the workspace, key and
/// action, never a value; only the changed paths are committed (`git commit -- PATHS`). Commits
/// are serialized: workspaces write on their own queues, but share one repository and index.
struct GitCommitter: Sendable {
    /// A failed git step: which, and what git printed (never a value: only paths are staged).
    struct Failure: Error, CustomStringConvertible {
        let step: String
        let output: String
        var description: String { "\(step) failed: \(output.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))" }
    }

    let root: String
    private let environment: [String: String]
    private let lock = NSLock()

    /// Checks that `root` is inside a git work tree; supplies an author when git has none.
    init(root: String) throws {
        self.root = root
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        let probe = Self.git(["rev-parse", "--is-inside-work-tree"], root: root, environment: environment)
        guard probe.status == 0 else {
            throw APIError(.internalServerError, "git", "--git-commit: \(root) is not inside a git repository (\(probe.output.trimmingCharacters(in: .whitespacesAndNewlines))); run 'git init' there or leave out --git-commit")
        }
        if Self.git(["config", "user.email"], root: root, environment: environment).status != 0 {
            for (name, value) in [("GIT_AUTHOR_NAME", "loopseal serve"), ("GIT_AUTHOR_EMAIL", "loopseal@localhost"),
                                  ("GIT_COMMITTER_NAME", "loopseal serve"), ("GIT_COMMITTER_EMAIL", "loopseal@localhost")]
            where environment[name] == nil {
                environment[name] = value
            }
        }
        self.environment = environment
    }

    /// Stages `paths` (relative to the root; deletions included) and commits them with `message`;
    /// true when a commit was made. Paths that neither exist nor are tracked, and a change that
    /// leaves the tree as it was, commit nothing. When the commit fails, the paths are unstaged
    /// again (the index is left as it was) and ``Failure`` is thrown.
    @discardableResult
    func commit(paths: [String], message: String) throws -> Bool {
        try lock.withLock {
            let present = paths.filter { path in
                FileManager.default.fileExists(atPath: "\(root)/\(path)")
                    || !Self.git(["ls-files", "--", path], root: root, environment: environment).output.isEmpty
            }
            guard !present.isEmpty else { return false }
            let add = Self.git(["add", "-A", "--"] + present, root: root, environment: environment)
            guard add.status == 0 else {
                unstage(present)
                throw Failure(step: "git add", output: add.output)
            }
            if Self.git(["diff", "--cached", "--quiet", "--"] + present, root: root, environment: environment).status == 0 { return false }
            let commit = Self.git(["commit", "-q", "-m", message, "--"] + present, root: root, environment: environment)
            guard commit.status == 0 else {
                unstage(present)
                throw Failure(step: "git commit", output: commit.output)
            }
            return true
        }
    }

    /// Puts the index entries of `paths` back to `HEAD`'s (a path `HEAD` lacks leaves the index).
    private func unstage(_ paths: [String]) {
        if Self.git(["rev-parse", "--verify", "-q", "HEAD"], root: root, environment: environment).status == 0 {
            _ = Self.git(["reset", "-q", "HEAD", "--"] + paths, root: root, environment: environment)
        } else {
            _ = Self.git(["rm", "-q", "--cached", "--ignore-unmatch", "-r", "--"] + paths, root: root, environment: environment)
        }
    }

    private static func git(_ arguments: [String], root: String, environment: [String: String]) -> (status: Int32, output: String) {
        do {
            let outcome = try ChildProcess.run(["git", "-C", root] + arguments, environment: environment, mergeErrors: true)
            return (outcome.status, String(decoding: outcome.stdout, as: UTF8.self))
        } catch {
            return (127, "cannot run git: \(error)")
        }
    }
}
