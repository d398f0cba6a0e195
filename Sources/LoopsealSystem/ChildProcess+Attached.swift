import Foundation
internal import CLoopsealSystem

#if canImport(Glibc)
import Glibc
#endif

extension ChildProcess {
    /// How a child run with ``runAttached(_:environment:)`` ended.
    public struct Exit: Sendable, Equatable {
        /// The exit status, or the signal number when `signaled` is true.
        public var status: Int32
        /// True when the child was ended by a signal.
        public var signaled: Bool

        /// Creates an exit.
        public init(status: Int32, signaled: Bool) {
            self.status = status
            self.signaled = signaled
        }
    }

    /// Runs `argv` (`argv[0]` a path, or a name looked up on `PATH`) in the foreground, sharing this process's stdin, stdout and
    /// stderr (an editor on the terminal), and waits for it. The child starts with the default
    /// signal actions and an empty signal mask. While it runs, SIGINT and SIGQUIT are left to it
    /// (the terminal sends them to both; an editor decides what Ctrl-C means, as under git), and
    /// SIGTERM and SIGHUP are passed on to it.
    public static func runAttached(_ argv: [String], environment: [String: String]? = nil) throws -> Exit {
        guard let program = argv.first else { throw LaunchError(program: "", reason: "empty command") }
        var arguments = argv.map { strdup($0) }
        defer { arguments.forEach { free($0) } }
        arguments.append(nil)
        var variables = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } } ?? []
        defer { variables.forEach { free($0) } }
        variables.append(nil)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        loopseal_foreground_child_set(-1)
        defer { loopseal_foreground_child_set(0) }
        var pid = pid_t()
        let started = environment == nil
            ? posix_spawnp(&pid, program, nil, &attributes, arguments, environ)
            : posix_spawnp(&pid, program, nil, &attributes, arguments, variables)
        guard started == 0 else { throw LaunchError(program: program, reason: String(cString: strerror(started))) }
        loopseal_foreground_child_set(pid)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw LaunchError(program: program, reason: String(cString: strerror(errno))) }
        }
        let signal = status & 0x7F
        return signal == 0 ? Exit(status: (status >> 8) & 0xFF, signaled: false) : Exit(status: signal, signaled: true)
    }
}
