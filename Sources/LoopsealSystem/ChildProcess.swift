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
        let process = Process()
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(argv.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = argv
        }
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = captureOutput || mergeErrors ? stdout : FileHandle.nullDevice
        process.standardError = mergeErrors ? stdout : stderr
        do { try process.run() } catch { throw LaunchError(program: program, reason: error.localizedDescription) }

        let work = DispatchGroup()
        let collected = Collected()
        Thread.detachNewThread(group: work) {
            // A child that exits before reading its input must turn into EPIPE, not kill us:
            // SIGPIPE is blocked in this thread only (a process-wide SIG_IGN would be inherited
            // by every child), and a pending one is dropped when the thread ends.
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
            do { try stdin.fileHandleForWriting.write(contentsOf: input) } catch { collected.inputFailed() }
            try? stdin.fileHandleForWriting.close()
        }
        if captureOutput || mergeErrors {
            Thread.detachNewThread(group: work) { collected.setOutput(stdout.fileHandleForReading.readDataToEndOfFile()) }
        }
        if !mergeErrors {
            Thread.detachNewThread(group: work) { collected.setErrors(stderr.fileHandleForReading.readDataToEndOfFile()) }
        }
        process.waitUntilExit()
        work.wait()
        let result = collected.snapshot()
        return Outcome(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                       stdout: result.output, stderr: result.errors, inputDelivered: result.inputDelivered)
    }

    /// What the reader and writer threads hand back, under a lock.
    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var output: [UInt8] = []
        private var errors: [UInt8] = []
        private var delivered = true

        func setOutput(_ data: Data) { lock.withLock { output = Array(data) } }
        func setErrors(_ data: Data) { lock.withLock { errors = Array(data) } }
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
