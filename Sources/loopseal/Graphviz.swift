import Foundation

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
        // A child that exits before reading its input must turn into EPIPE, not kill us.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-Tsvg"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw CLIError("cannot run Graphviz's '\(executable)': \(error.localizedDescription); \(installHint)")
        }
        // dot reads its whole input before it writes: writing first cannot deadlock.
        let wrote: Bool
        do {
            try input.fileHandleForWriting.write(contentsOf: Data(dot.utf8))
            wrote = true
        } catch {
            wrote = false
        }
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").first.map { ": \($0)" } ?? ""
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0, wrote else {
            let how = process.terminationReason == .exit ? "exited with \(process.terminationStatus)" : "was killed by signal \(process.terminationStatus)"
            throw CLIError("Graphviz's '\(executable)' \(how) before drawing the graph\(message); is Graphviz installed correctly? \(installHint)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
