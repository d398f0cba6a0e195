import Foundation
import LoopsealSystem

/// Runs git in one repository (`git -C ROOT …`) with `GIT_TERMINAL_PROMPT=0` and, when git has
/// no author configured, the server's own; output is never a value (only paths are staged).
struct GitShell: Sendable {
    /// What one git run printed: stdout, and stdout with stderr for messages.
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var succeeded: Bool { status == 0 }
        /// stdout trimmed: a sha, a ref, a path.
        var line: String { stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
        /// What git said, for an error: stderr then stdout, trimmed and bounded.
        var said: String { String((stderr + stdout).trimmingCharacters(in: .whitespacesAndNewlines).prefix(300)) }
    }

    let root: String
    let environment: [String: String]

    /// A shell for `root`; fills in an author when git has none configured there.
    init(root: String) {
        self.root = root
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        let probe = GitShell(root: root, environment: environment)
        if !probe.run(["config", "user.email"]).succeeded {
            for (name, value) in [("GIT_AUTHOR_NAME", "loopseal serve"), ("GIT_AUTHOR_EMAIL", "loopseal@localhost"),
                                  ("GIT_COMMITTER_NAME", "loopseal serve"), ("GIT_COMMITTER_EMAIL", "loopseal@localhost")]
            where environment[name] == nil {
                environment[name] = value
            }
        }
        self.environment = environment
    }

    private init(root: String, environment: [String: String]) {
        self.root = root
        self.environment = environment
    }

    /// This shell with `variables` added to the environment (e.g. `GIT_INDEX_FILE`).
    func with(_ variables: [String: String]) -> GitShell {
        GitShell(root: root, environment: environment.merging(variables) { _, new in new })
    }

    /// Runs `git -C ROOT ARGUMENTS` with `input` on stdin.
    func run(_ arguments: [String], input: [UInt8] = []) -> Output {
        do {
            let outcome = try ChildProcess.run(["git", "-C", root] + arguments, input: input, environment: environment)
            return Output(status: outcome.signaled ? 128 + outcome.status : outcome.status,
                          stdout: String(decoding: outcome.stdout, as: UTF8.self), stderr: outcome.errorText)
        } catch {
            return Output(status: 127, stdout: "", stderr: "cannot run git: \(error)")
        }
    }

    /// ``run(_:input:)`` that throws ``GitCommitter/Failure`` naming `step` unless git succeeded.
    @discardableResult
    func checked(_ step: String, _ arguments: [String], input: [UInt8] = []) throws -> Output {
        let output = run(arguments, input: input)
        guard output.succeeded else { throw GitCommitter.Failure(step: step, output: output.said) }
        return output
    }

    /// The commit `revision` names, or nil.
    func commit(_ revision: String) -> String? {
        let output = run(["rev-parse", "--verify", "-q", "\(revision)^{commit}"])
        return output.succeeded && !output.line.isEmpty ? output.line : nil
    }

    /// Whether `ancestor` is an ancestor of (or equal to) `descendant`.
    func isAncestor(_ ancestor: String, of descendant: String) -> Bool {
        run(["merge-base", "--is-ancestor", ancestor, descendant]).succeeded
    }

    /// The NUL-separated paths git printed with `-z`.
    static func paths(_ output: Output) -> [String] {
        output.stdout.split(separator: "\0").map(String.init)
    }
}
