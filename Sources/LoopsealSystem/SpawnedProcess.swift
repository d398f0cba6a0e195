import Foundation
internal import CLoopsealSystem

#if canImport(Glibc)
import Glibc
#endif

/// A started child process and the pipe ends this process keeps: the one way Loopseal and its
/// tests start programs (`posix_spawn`, never Foundation's `Process`, whose `run()` in Swift 6.3
/// can read past a buffer and crash; see `loopseal_spawn`). The child gets only the three
/// standard descriptors, an empty signal mask, default signal actions and its own process group.
public final class SpawnedProcess: @unchecked Sendable {
    /// Where one of the child's standard descriptors points.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A new pipe; this process keeps the other end (``input``, ``output``, ``errors``).
        case pipe
        /// This process's own descriptor.
        case inherit
        /// Wherever the child's stdout goes (for stderr only).
        case stdout
    }

    /// How the child ended.
    public struct Termination: Sendable, Equatable {
        /// The exit status, or the signal number when `signaled` is true.
        public var status: Int32
        /// True when the child was ended by a signal.
        public var signaled: Bool

        init(waitStatus: Int32) {
            let signal = waitStatus & 0x7F
            status = signal == 0 ? (waitStatus >> 8) & 0xFF : signal
            signaled = signal != 0
        }
    }

    /// The child's process id.
    public let pid: pid_t
    /// The write end of the child's stdin pipe (owned by the caller, who closes it).
    public let input: Int32?
    /// The read end of the child's stdout pipe (owned by the caller, who closes it).
    public let output: Int32?
    /// The read end of the child's stderr pipe (owned by the caller, who closes it).
    public let errors: Int32?

    private let lock = NSLock()
    private var ended: Termination?

    /// Starts `executable` (a path) with `arguments` in `directory` (nil: ours) with
    /// `environment` (nil: ours).
    public init(executable: String, arguments: [String], directory: String? = nil,
                environment: [String: String]? = nil, stdin: Stream = .null,
                stdout: Stream = .null, stderr: Stream = .null) throws {
        var opened: [Int32] = []
        func pipeEnds() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard loopseal_pipe(&fds) == 0 else {
                throw ChildProcess.LaunchError(program: executable, reason: String(cString: strerror(errno)))
            }
            opened += fds
            return (fds[0], fds[1])
        }
        func childSide(_ stream: Stream, pipe: Int32?) -> Int32 {
            switch stream {
            case .null: return LOOPSEAL_SPAWN_NULL
            case .inherit: return LOOPSEAL_SPAWN_INHERIT
            case .stdout: return LOOPSEAL_SPAWN_STDOUT
            case .pipe: return pipe ?? LOOPSEAL_SPAWN_NULL
            }
        }
        do {
            let inPipe = stdin == .pipe ? try pipeEnds() : nil
            let outPipe = stdout == .pipe ? try pipeEnds() : nil
            let errPipe = stderr == .pipe ? try pipeEnds() : nil

            var argv = ([executable] + arguments).map { strdup($0) }
            defer { argv.forEach { free($0) } }
            argv.append(nil)
            var envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } }
            defer { envp?.forEach { free($0) } }
            envp?.append(nil)

            var child: Int32 = 0
            let result: Int32 = envp.withOptionalBuffer { variables in
                loopseal_spawn(&child, executable, argv, variables, directory,
                               childSide(stdin, pipe: inPipe?.read),
                               childSide(stdout, pipe: outPipe?.write),
                               childSide(stderr, pipe: errPipe?.write))
            }
            guard result == 0 else {
                throw ChildProcess.LaunchError(program: executable, reason: String(cString: strerror(result)))
            }
            // The child's ends are the child's now: close ours so EOF arrives when it exits.
            for end in [inPipe?.read, outPipe?.write, errPipe?.write].compactMap({ $0 }) { close(end) }
            pid = child
            input = inPipe?.write
            output = outPipe?.read
            errors = errPipe?.read
        } catch {
            opened.forEach { close($0) }
            throw error
        }
    }

    deinit {
        // Reap a child nobody waited for when it ends, so it does not linger as a zombie.
        guard lock.withLock({ ended == nil }) else { return }
        let pid = pid
        Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }.start()
    }

    /// Waits for the child to end (once reaped, answers at once).
    public func wait() -> Termination {
        if let ended = lock.withLock({ ended }) { return ended }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { break }
        }
        return record(Termination(waitStatus: status))
    }

    /// How the child ended, or nil while it runs.
    public func poll() -> Termination? {
        if let ended = lock.withLock({ ended }) { return ended }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        return record(Termination(waitStatus: status))
    }

    /// True until the child has ended and been reaped.
    public var isRunning: Bool { poll() == nil }

    /// Sends `signal` unless the child has been reaped (its id may belong to another by then).
    public func send(_ signal: Int32) {
        lock.withLock {
            if ended == nil { _ = kill(pid, signal) }
        }
    }

    private func record(_ termination: Termination) -> Termination {
        lock.withLock {
            if ended == nil { ended = termination }
            return ended ?? termination
        }
    }

    /// Reads `fd` to its end (EOF or an error) and returns the bytes; does not close it.
    public static func readToEnd(_ fd: Int32) -> [UInt8] {
        var collected: [UInt8] = []
        readChunks(fd) { collected += $0 }
        return collected
    }

    /// Reads `fd` to its end, handing each chunk to `body` as it arrives; does not close it.
    public static func readChunks(_ fd: Int32, _ body: ([UInt8]) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            body(Array(buffer[0..<count]))
        }
    }

    /// Writes all of `bytes` to `fd`; false when the reader went away first (EPIPE) or another
    /// error stopped it. The caller blocks SIGPIPE in its thread. Does not close `fd`.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return write(fd, base + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}

private extension Optional where Wrapped == [UnsafeMutablePointer<CChar>?] {
    /// Calls `body` with a pointer to the array's elements, or nil.
    func withOptionalBuffer<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> R) -> R {
        switch self {
        case .some(let array): return array.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: return body(nil)
        }
    }
}
