import Foundation
import LoopsealSystem

#if canImport(Glibc)
import Glibc
#endif

/// Graphviz's `dot`, for `workflow graph --format svg`. Looked up on PATH before anything is
/// spawned, so a missing Graphviz is one clear message and exit 1, never a SIGPIPE (exit 141)
/// from writing to a child that is already gone.
enum Graphviz {
    static let installHint = "install graphviz (apt-get install graphviz), or use --format dot or mermaid"

    /// The first executable regular file called `name` in PATH's folders.
    static func executable(named name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for folder in (path ?? "").split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(folder)/\(name)"
            var info = stat()
            guard stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 else { continue }
            return candidate
        }
        return nil
    }

    /// Renders DOT text as SVG with `dot -Tsvg`.
    static func svg(_ dot: String) throws -> String {
        guard let executable = executable(named: "dot") else {
            throw CLIError("--format svg needs Graphviz's 'dot', which is not on PATH: \(installHint)")
        }
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run([executable, "-Tsvg"], input: Array(dot.utf8))
        } catch let error as ChildProcess.LaunchError {
            throw CLIError("cannot run Graphviz's '\(executable)': \(error.reason); \(installHint)")
        }
        guard !outcome.signaled, outcome.status == 0, outcome.inputDelivered else {
            let how = outcome.signaled ? "was killed by signal \(outcome.status)" : "exited with \(outcome.status)"
            let message = outcome.errorText.split(separator: "\n").first.map { ": \($0)" } ?? ""
            throw CLIError("Graphviz's '\(executable)' \(how) before drawing the graph\(message); is Graphviz installed correctly? \(installHint)")
        }
        return String(decoding: outcome.stdout, as: UTF8.self)
    }
}
