import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program (no shell) to completion: the one process runner for git, sync command
/// targets and Graphviz. Input is written and both outputs are read at the same time, on their
/// own threads, so a child that writes before it reads cannot deadlock; nothing touches disk
/// (sync payloads hold secret values).
public enum ChildProcess {
    /// How a run ended and what it wrote.
    public struct Outcome: Sendable {
        /// The exit status, or the signal number when `signaled` is true.
        public var status: Int32
        /// True when the child was killed by a signal.
        public var signaled: Bool
        /// Everything written to stdout (empty unless captured).
        public var stdout: [UInt8]
        /// Everything written to stderr (merged into `stdout` when `mergeErrors`).
        public var stderr: [UInt8]
        /// False when the child exited before reading all of its input.
        public var inputDelivered: Bool

        /// stderr as text.
        public var errorText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Why a child could not be started.
    public struct LaunchError: Error, CustomStringConvertible {
        /// The program.
        public var program: String
        /// What the system said.
        public var reason: String

        public var description: String { "cannot run '\(program)': \(reason)" }
    }

    /// Runs `argv` (a bare program name is searched on PATH through `/usr/bin/env`) in
    /// `directory`, with `environment` (nil: inherited), `input` on stdin, stdout captured when
    /// `captureOutput`, and stderr captured (or merged into stdout when `mergeErrors`).
    public static func run(_ argv: [String], input: [UInt8] = [], directory: String? = nil,
                           environment: [String: String]? = nil, captureOutput: Bool = true,
                           mergeErrors: Bool = false) throws -> Outcome {
        guard let program = argv.first else { throw LaunchError(program: "", reason: "empty command") }
        let executable = program.contains("/") ? program : "/usr/bin/env"
        let arguments = program.contains("/") ? Array(argv.dropFirst()) : argv
        let child: SpawnedProcess
        do {
            child = try SpawnedProcess(
                executable: executable, arguments: arguments, directory: directory, environment: environment,
                stdin: .pipe, stdout: captureOutput || mergeErrors ? .pipe : .null,
                stderr: mergeErrors ? .stdout : .pipe)
        } catch let error as LaunchError {
            throw LaunchError(program: program, reason: error.reason)
        }

        let work = DispatchGroup()
        let collected = Collected()
        if let fd = child.input {
            Thread.detachNewThread(group: work) {
                // A child that exits before reading its input must turn into EPIPE, not kill us:
                // SIGPIPE is blocked in this thread only (a process-wide SIG_IGN would be inherited
                // by every child), and a pending one is dropped when the thread ends.
                var pipeSignal = sigset_t()
                sigemptyset(&pipeSignal)
                sigaddset(&pipeSignal, SIGPIPE)
                pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
                if !SpawnedProcess.writeAll(fd, input) { collected.inputFailed() }
                close(fd)
            }
        }
        if let fd = child.output {
            Thread.detachNewThread(group: work) {
                collected.setOutput(SpawnedProcess.readToEnd(fd))
                close(fd)
            }
        }
        if let fd = child.errors {
            Thread.detachNewThread(group: work) {
                collected.setErrors(SpawnedProcess.readToEnd(fd))
                close(fd)
            }
        }
        let ended = child.wait()
        work.wait()
        let result = collected.snapshot()
        return Outcome(status: ended.status, signaled: ended.signaled,
                       stdout: result.output, stderr: result.errors, inputDelivered: result.inputDelivered)
    }

    /// What the reader and writer threads hand back, under a lock.
    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var output: [UInt8] = []
        private var errors: [UInt8] = []
        private var delivered = true

        func setOutput(_ bytes: [UInt8]) { lock.withLock { output = bytes } }
        func setErrors(_ bytes: [UInt8]) { lock.withLock { errors = bytes } }
        func inputFailed() { lock.withLock { delivered = false } }
        func snapshot() -> (output: [UInt8], errors: [UInt8], inputDelivered: Bool) {
            lock.withLock { (output, errors, delivered) }
        }
    }
}

private extension Thread {
    /// Starts `body` on a new thread (not the cooperative pool, which blocking I/O would
    /// starve), counted in `group`.
    static func detachNewThread(group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            body()
            group.leave()
        }
        thread.start()
    }
}
