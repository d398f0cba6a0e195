import Foundation
import LoopsealStore

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let stdin = try Self.scratchFile(holding: input)
        let stderr = try Self.scratchFile(holding: [])
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw StoreError.io(path: "git", problem: "cannot run git (\(error)): install git")
        }
        try? stdout.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        _ = lseek(stderr.fileDescriptor, 0, SEEK_SET)
        let err = stderr.readDataToEndOfFile()
        return Output(status: process.terminationStatus, stdout: Array(out), stderr: String(decoding: err, as: UTF8.self))
    }

    /// Runs `git arguments…` and returns its output, or throws with git's own message.
    public func checked(_ arguments: [String], input: [UInt8] = []) throws -> Output {
        let output = try run(arguments, input: input)
        guard output.status == 0 else {
            let message = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw StoreError.io(path: "git \(arguments.prefix(2).joined(separator: " "))",
                                problem: message.isEmpty ? "failed with status \(output.status)" : String(message.prefix(400)))
        }
        return output
    }

    /// An open, already unlinked temporary file holding `bytes`, positioned at its start.
    private static func scratchFile(holding bytes: [UInt8]) throws -> FileHandle {
        var template = Array("\(NSTemporaryDirectory())/loopseal-git-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemp($0) } ?? -1
        }
        guard fd >= 0 else {
            throw StoreError.io(path: NSTemporaryDirectory(), problem: "cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { _ = unlink(base) }
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                close(fd)
                throw StoreError.io(path: NSTemporaryDirectory(), problem: "cannot write a temporary file: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        _ = lseek(fd, 0, SEEK_SET)
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }
}
