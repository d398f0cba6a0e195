import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealDiagnostics
import LoopsealKit
import LoopsealServer
import LoopsealStore
import LoopsealSync
import LoopsealTemplates
import LoopsealWorkflows

#if canImport(Glibc)
import Glibc
#endif

/// Terminal I/O for the CLI: raw output, prompts without echo, and error rendering.
enum Terminal {
    /// Writes bytes to stdout as they are.
    static func write(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(STDOUT_FILENO, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if n < 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }

    /// Writes text to stdout.
    static func print(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    /// Writes a line to stderr.
    static func warn(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes text to stderr without a line break (progress lines).
    static func warnInline(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Reads all of stdin into secure memory, wiping the intermediate buffer. More than `limit`
    /// bytes is refused (stdin may be `/dev/zero`), so the buffer never grows past the room it
    /// reserved: a reallocation would free an unwiped copy.
    static func readStandardInput(limit: Int = FileLimits.value) throws -> SecureBytes {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(limit + 65536)
        defer { wipe(&buffer) }
        var chunk = [UInt8](repeating: 0, count: 65536)
        defer { wipe(&chunk) }
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw CLIError("cannot read the value from stdin: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            guard buffer.count + n <= limit else {
                throw CLIError("stdin holds more than \(limit) bytes, more than loopseal reads here: is it the right input?")
            }
            buffer.append(contentsOf: chunk[0..<n])
        }
        return try SecureBytes(copying: buffer)
    }

    /// Asks for a value on the terminal with echo off. One line: the line ending is not part of
    /// the value, and a paste of several lines is refused (drained, never stored cut short).
    /// `multiline`: every byte typed until end of input (Ctrl-D), line breaks included.
    static func promptHidden(_ prompt: String, multiline: Bool = false) throws -> SecureBytes {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError("no terminal to prompt on: pipe the value on stdin") }
        defer { close(fd) }
        _ = prompt.withCString { Glibc.write(fd, $0, strlen($0)) }
        var saved = termios()
        let hasTermios = tcgetattr(fd, &saved) == 0
        if hasTermios {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(fd, TCSAFLUSH, &quiet)
        }
        defer {
            if hasTermios { tcsetattr(fd, TCSAFLUSH, &saved) }
            _ = Glibc.write(fd, "\n", 1)
        }
        var value: [UInt8] = []
        value.reserveCapacity(FileLimits.value + 4096)
        defer { wipe(&value) }
        var chunk = [UInt8](repeating: 0, count: 4096)
        defer { wipe(&chunk) }
        var lineLength = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw CLIError("cannot read from the terminal: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            guard value.count + n <= FileLimits.value + 1 else {
                drain(fd)
                throw CLIError("the value is larger than the \(FileLimits.value) bytes Loopseal stores; nothing was stored")
            }
            value.append(contentsOf: chunk[0..<n])
            // A terminal in line mode silently cuts a line at 4095 bytes: refuse rather than store it cut.
            var tooLong = false
            for byte in chunk[0..<n] {
                lineLength = byte == 0x0A ? 0 : lineLength + 1
                if lineLength >= Self.maxTerminalLine { tooLong = true }
            }
            if tooLong {
                drain(fd)
                throw CLIError("a line of the value is \(Self.maxTerminalLine) bytes or longer, and a terminal cuts such lines: pipe it on stdin instead ('loopseal set KEY < FILE'); nothing was stored")
            }
            if !multiline, let newline = value.firstIndex(of: 0x0A) {
                let pasted = newline < value.count - 1 || hasPendingInput(fd)
                if pasted {
                    drain(fd)
                    throw CLIError("the value has line breaks, and a one-line prompt would cut it: use --multiline (then end the value with Ctrl-D), or pipe it on stdin ('loopseal set KEY < FILE'); nothing was stored")
                }
                value.removeSubrange(newline...)
                if value.last == 0x0D { value.removeLast() }
                break
            }
        }
        return try SecureBytes(copying: value)
    }

    /// The longest line a terminal in line mode passes on whole (Linux's N_TTY buffer less one).
    static let maxTerminalLine = 4095

    /// True when more input arrives within 100 ms: the rest of a paste (a person does not type
    /// the next line that fast after Enter; a slow link may take a while to deliver a paste).
    private static func hasPendingInput(_ fd: Int32) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 100) > 0 && (poller.revents & Int16(POLLIN)) != 0
    }

    /// Reads and wipes whatever is pending, so a refused paste is not run as shell commands.
    private static func drain(_ fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        defer { wipe(&chunk) }
        while hasPendingInput(fd) {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
        }
    }

    /// Asks a yes/no question on the terminal; true only for an answer starting with y or Y.
    static func confirm(_ prompt: String) throws -> Bool {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        _ = prompt.withCString { Glibc.write(fd, $0, strlen($0)) }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(fd, &byte, 1) == 1, byte != 0x0A { answer.append(byte) }
        return answer.first == UInt8(ascii: "y") || answer.first == UInt8(ascii: "Y")
    }

    /// Asks on the terminal for one of `choices` (the first letter of the answer, any case);
    /// an empty or other answer is `default`.
    static func choose(_ prompt: String, default fallback: Character, from choices: Set<Character>) -> Character {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return fallback }
        defer { close(fd) }
        _ = prompt.withCString { Glibc.write(fd, $0, strlen($0)) }
        var first: Character?
        var byte: UInt8 = 0
        while Glibc.read(fd, &byte, 1) == 1, byte != 0x0A {
            if first == nil { first = Character(Unicode.Scalar(byte)).lowercased().first }
        }
        return first.flatMap { choices.contains($0) ? $0 : nil } ?? fallback
    }

    /// Overwrites a buffer before it is released.
    static func wipe(_ buffer: inout [UInt8]) {
        buffer.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { memset(base, 0, raw.count) }
        }
    }

    /// Prints `error` as one line on stderr and returns the exit code: 2 for a usage error
    /// (ArgumentParser's, or a ``LoopsealError`` that says so), 1 for every other failure.
    static func report(_ error: Error) -> Int32 {
        if let error = error as? LoopsealError {
            warn("loopseal: error: \(error.description)")
            return error.isUsageError ? 2 : 1
        }
        let code = Loopseal.exitCode(for: error)
        if code == .success {
            let text = Loopseal.fullMessage(for: error)
            if !text.isEmpty { Swift.print(text) }
            return 0
        }
        if let exit = error as? ExitCode { return exit.rawValue }
        if code == .validationFailure {
            let text = Loopseal.fullMessage(for: error)
            if !text.isEmpty { FileHandle.standardError.write(Data((text + "\n").utf8)) }
            return 2
        }
        warn("loopseal: error: \(error)")
        return 1
    }
}

/// An error the CLI itself raises, with what to do about it.
struct CLIError: LoopsealError {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
