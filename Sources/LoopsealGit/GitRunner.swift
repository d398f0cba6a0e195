import Foundation
import LoopsealStore
import LoopsealSystem

#if canImport(Glibc)
import Glibc
#endif

/// Runs `git` in a directory, inheriting the environment (so a hook sees the `GIT_INDEX_FILE`
/// that `git commit -a` sets). Input and error output go through unlinked temporary files, so
/// no pipe can fill up and stall either side.
public struct GitRunner: Sendable {
    /// The directory git runs in.
    public var directory: String
    /// The environment git runs with.
    public var environment: [String: String]

    /// What one git command left behind.
    public struct Output: Sendable {
        /// Exit status.
        public var status: Int32
        /// Standard output, byte for byte.
        public var stdout: [UInt8]
        /// Standard error, as text.
        public var stderr: String

        /// Standard output as text without the final line break.
        public var text: String {
            var text = String(decoding: stdout, as: UTF8.self)
            while text.hasSuffix("\n") { text.removeLast() }
            return text
        }
    }

    /// Creates a runner for `directory` (default: the current directory).
    public init(directory: String = FileManager.default.currentDirectoryPath,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.directory = directory
        self.environment = environment
    }

    /// Runs `git arguments…`, feeding `input` on stdin.
    public func run(_ arguments: [String], input: [UInt8] = []) throws -> Output {
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(["git"] + arguments, input: input, directory: directory, environment: environment)
        } catch {
            throw StoreError.io(path: "git", problem: "cannot run git (\(error)): install git")
        }
        return Output(status: outcome.status, stdout: outcome.stdout, stderr: outcome.errorText)
    }

    /// Runs `git arguments…` and throws git's message (as ``StoreError/io(path:problem:)``)
    /// when it fails.
    public func checked(_ arguments: [String], input: [UInt8] = []) throws -> Output {
        let output = try run(arguments, input: input)
        guard output.status == 0 else {
            let message = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw StoreError.io(path: "git \(arguments.prefix(2).joined(separator: " "))",
                                problem: message.isEmpty ? "failed with status \(output.status)" : String(message.prefix(400)))
        }
        return output
    }
}
