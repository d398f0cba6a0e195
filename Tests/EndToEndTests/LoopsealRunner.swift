import Foundation
import LoopsealSystem
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished `loopseal` (or any other) process left behind.
struct RunResult: Sendable, CustomStringConvertible {
    /// The exit status, or the signal number when `signaled` is true.
    var status: Int32
    /// True when the process was ended by a signal.
    var signaled: Bool
    /// Everything written to stdout, byte for byte.
    var stdout: [UInt8]
    /// Everything written to stderr, decoded as UTF-8.
    var stderr: String
    /// The command line, for messages.
    var command: [String]

    /// stdout decoded as UTF-8.
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }

    /// stderr split into lines, without the final line break.
    var stderrLines: [String] {
        var text = stderr
        if text.hasSuffix("\n") { text.removeLast() }
        return text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    var description: String {
        "`\(command.joined(separator: " "))` -> \(signaled ? "signal" : "status") \(status)\n"
            + "stdout: \(stdoutText.prefix(2000))\nstderr: \(stderr.prefix(2000))"
    }
}

/// Collects bytes read on a background thread.
private final class ByteSink: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    /// Reads `fd` to its end on a new thread (not the cooperative pool, which blocking reads
    /// would starve on a small machine), keeping what has arrived readable meanwhile; closes it.
    func drain(_ fd: Int32) {
        let thread = Thread { [self] in
            SpawnedProcess.readChunks(fd) { chunk in lock.withLock { bytes += chunk } }
            close(fd)
            done.signal()
        }
        thread.start()
    }

    /// What has been read so far.
    func soFar() -> [UInt8] {
        lock.withLock { bytes }
    }

    /// Waits for the reader and returns what it read.
    func wait() -> [UInt8] {
        done.wait()
        return lock.withLock { bytes }
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` seconds pass; returns whether it
/// held. For waiting on something to happen (a file written, a line logged) instead of sleeping
/// a fixed time: the deadline is generous because a loaded machine is slow, and a condition
/// that holds ends the wait at once.
@discardableResult
func waitUntil(_ timeout: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}

/// A started process whose output is being collected.
final class RunningProcess: @unchecked Sendable {
    let process: SpawnedProcess
    private let out = ByteSink()
    private let err = ByteSink()
    let command: [String]

    fileprivate init(executable: String, arguments: [String], stdin: [UInt8]?,
                     environment: [String: String], cwd: String) throws {
        process = try SpawnedProcess(executable: executable, arguments: arguments, directory: cwd,
                                     environment: environment, stdin: stdin == nil ? .null : .pipe,
                                     stdout: .pipe, stderr: .pipe)
        command = [executable] + arguments
        if let fd = process.output { out.drain(fd) }
        if let fd = process.errors { err.drain(fd) }
        if let fd = process.input, let stdin {
            let thread = Thread {
                // The child may exit without reading everything: block SIGPIPE in this thread
                // only (not process-wide, which children would inherit) and stop on EPIPE.
                var pipeSignal = sigset_t()
                sigemptyset(&pipeSignal)
                sigaddset(&pipeSignal, SIGPIPE)
                pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
                SpawnedProcess.writeAll(fd, stdin)
                close(fd)
            }
            thread.start()
        }
    }

    var pid: Int32 { process.pid }

    /// True until the process has ended.
    var isRunning: Bool { process.isRunning }

    /// Everything the process has written to stderr so far, while it runs.
    var stderrSoFar: String { String(decoding: err.soFar(), as: UTF8.self) }

    /// Sends `signal` if the process is still running.
    func send(_ signal: Int32 = SIGKILL) {
        process.send(signal)
    }

    /// Waits for the exit (killing the process after `timeout` seconds) and collects output.
    func wait(timeout: Double = 60) -> RunResult {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                send(SIGKILL)
                break
            }
            usleep(1_000)
        }
        let ended = process.wait()
        let stdout = out.wait()
        var stderr = String(decoding: err.wait(), as: UTF8.self)
        if timedOut { stderr += "\n[test runner: killed after \(timeout) s]" }
        return RunResult(status: ended.status, signaled: ended.signaled,
                         stdout: stdout, stderr: stderr, command: command)
    }
}

/// Runs the real `loopseal` binary with a clean environment.
struct LoopsealRunner: Sendable {
    /// `$LOOPSEAL_BIN`, else `<package root>/.build/debug/loopseal`, the package root being
    /// three levels above this file.
    static func binaryPath(filePath: String = #filePath) -> String {
        if let bin = ProcessInfo.processInfo.environment["LOOPSEAL_BIN"], !bin.isEmpty { return bin }
        let root = URL(fileURLWithPath: filePath)
            .deletingLastPathComponent()  // EndToEndTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
        return root.appendingPathComponent(".build/debug/loopseal").path
    }

    /// The binary to run.
    var binary: String
    /// Used for HOME and XDG_CONFIG_HOME, so the developer's own identities never interfere.
    var home: String
    /// Default working directory.
    var cwd: String

    /// The environment every run starts from: the test's own, without any `LOOPSEAL_*`
    /// identity variables, with HOME and XDG_CONFIG_HOME pointing into the sandbox.
    func baseEnvironment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for name in env.keys where name.hasPrefix("LOOPSEAL_") { env[name] = nil }
        env["HOME"] = home
        env["XDG_CONFIG_HOME"] = home
        return env
    }

    /// Starts `loopseal args…`. `env` entries override (nil removes a variable).
    func start(_ args: [String], stdin: [UInt8]? = nil, env: [String: String?] = [:],
               cwd: String? = nil, executable: String? = nil) throws -> RunningProcess {
        var environment = baseEnvironment()
        for (name, value) in env { environment[name] = value }
        return try RunningProcess(executable: executable ?? binary, arguments: args, stdin: stdin,
                                  environment: environment, cwd: cwd ?? self.cwd)
    }

    /// Runs `loopseal args…` to completion.
    func run(_ args: [String], stdin: [UInt8]? = nil, env: [String: String?] = [:],
             cwd: String? = nil, timeout: Double = 60) throws -> RunResult {
        try start(args, stdin: stdin, env: env, cwd: cwd).wait(timeout: timeout)
    }

    /// Runs another program (age, sh, …) with the same clean environment.
    func runTool(_ executable: String, _ args: [String], stdin: [UInt8]? = nil,
                 env: [String: String?] = [:], timeout: Double = 60) throws -> RunResult {
        try start(args, stdin: stdin, env: env, executable: executable).wait(timeout: timeout)
    }
}

/// A temporary directory for one test, removed by `remove()` (and on deinit as a fallback).
final class Sandbox: @unchecked Sendable {
    /// The directory: it is the default working directory and becomes the root holding `workspaces/`.
    let root: String
    let runner: LoopsealRunner

    init(_ label: String = "e2e") throws {
        let binary = LoopsealRunner.binaryPath()
        try #require(FileManager.default.isExecutableFile(atPath: binary),
                     "loopseal binary not found at \(binary): build it (swift build) or set LOOPSEAL_BIN")
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("loopseal-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // Resolve symlinks (e.g. /tmp -> /private/tmp) so paths in messages match ours.
        root = url.resolvingSymlinksInPath().path
        try FileManager.default.createDirectory(atPath: "\(root)/keys", withIntermediateDirectories: true)
        runner = LoopsealRunner(binary: binary, home: root, cwd: root)
    }

    deinit { remove() }

    /// Deletes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: Running

    @discardableResult
    func run(_ args: [String], stdin: [UInt8]? = nil, env: [String: String?] = [:],
             cwd: String? = nil, timeout: Double = 60) throws -> RunResult {
        try runner.run(args, stdin: stdin, env: env, cwd: cwd, timeout: timeout)
    }

    @discardableResult
    func run(_ args: [String], stdin: String, env: [String: String?] = [:], cwd: String? = nil) throws -> RunResult {
        try runner.run(args, stdin: Array(stdin.utf8), env: env, cwd: cwd)
    }

    /// Runs and requires exit status 0, returning the result.
    @discardableResult
    func ok(_ args: [String], stdin: [UInt8]? = nil, env: [String: String?] = [:],
            sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        let result = try run(args, stdin: stdin, env: env)
        try #require(result.status == 0 && !result.signaled, "\(result)", sourceLocation: sourceLocation)
        return result
    }

    // MARK: Fixtures

    /// An identity made with `loopseal keygen -o keys/<name>.key`.
    struct Key: Sendable {
        var name: String
        var path: String
        var publicKey: String
        var secretKey: String
    }

    /// Makes an identity with `loopseal keygen -o`.
    func keygen(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Key {
        let path = "\(root)/keys/\(name).key"
        let result = try ok(["keygen", "-o", path], sourceLocation: sourceLocation)
        let publicKey = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let secret = try #require(text.split(separator: "\n").first { $0.hasPrefix("AGE-SECRET-KEY-1") },
                                  sourceLocation: sourceLocation)
        return Key(name: name, path: path, publicKey: publicKey, secretKey: String(secret))
    }

    /// `loopseal init <id> --recipient name=key…`.
    func initWorkspace(_ id: String, _ keys: [Key], sourceLocation: SourceLocation = #_sourceLocation) throws {
        try ok(["init", id] + keys.flatMap { ["--recipient", "\($0.name)=\($0.publicKey)"] },
               sourceLocation: sourceLocation)
    }

    /// `loopseal set KEY` with `value` on stdin.
    func set(_ key: String, _ value: [UInt8], raw: Bool = false, extra: [String] = [],
             sourceLocation: SourceLocation = #_sourceLocation) throws {
        try ok(["set", key] + (raw ? ["--raw"] : []) + extra, stdin: value, sourceLocation: sourceLocation)
    }

    func set(_ key: String, _ value: String, raw: Bool = false, extra: [String] = [],
             sourceLocation: SourceLocation = #_sourceLocation) throws {
        try set(key, Array(value.utf8), raw: raw, extra: extra, sourceLocation: sourceLocation)
    }

    /// The directory of workspace `id`.
    func workspaceDir(_ id: String) -> String { "\(root)/workspaces/\(id)" }

    /// The sealed file of `key` in workspace `id`.
    func sealedPath(_ id: String, _ key: String) -> String { "\(workspaceDir(id))/secrets/\(key).sealed" }

    /// `export --format json` parsed into key -> value.
    func exportJSON(_ extra: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: String] {
        let result = try ok(["export", "--format", "json"] + extra, sourceLocation: sourceLocation)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout))
        return try #require(object as? [String: String], "export --format json is not a string map: \(result)",
                            sourceLocation: sourceLocation)
    }

    /// `keys --json` parsed.
    func keysJSON(_ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let result = try ok(["keys", "--json"] + extra, sourceLocation: sourceLocation)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout))
        return try #require(object as? [[String: Any]], "keys --json is not a list of objects: \(result)",
                            sourceLocation: sourceLocation)
    }
}

// MARK: Byte helpers

extension Array where Element == UInt8 {
    /// True when `needle` occurs in these bytes.
    func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        let first = needle[0]
        var i = 0
        while i <= count - needle.count {
            if self[i] == first && Array(self[i..<(i + needle.count)]) == needle { return true }
            i += 1
        }
        return false
    }
}

/// Reads a file's bytes.
func readBytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Writes a file's bytes.
func writeBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Every regular file under `directory`, recursively, hidden ones included.
func allFiles(under directory: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
    var files: [String] = []
    while let relative = enumerator.nextObject() as? String {
        let path = "\(directory)/\(relative)"
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue { files.append(path) }
    }
    return files
}
