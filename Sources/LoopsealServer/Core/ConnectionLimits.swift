import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How long a client may take and how many connections may be open at once, for `serve` and
/// `agent`: a client that opens connections and never finishes a request must not be able to
/// use up the server's file descriptors or keep others out.
public struct ConnectionLimits: Sendable, Equatable {
    /// Time from accepting a connection to the end of its first request head.
    public var headerTimeout: Duration
    /// Time from the end of a request head to the end of its body.
    public var bodyTimeout: Duration
    /// Time a kept-alive connection may wait for (the whole head of) its next request.
    public var idleTimeout: Duration
    /// Open connections at most; beyond it, the oldest connection waiting for a request head is closed.
    public var maxConnections: Int

    /// Default header timeout: 10 s.
    public static let defaultHeaderTimeout: Duration = .seconds(10)
    /// Default body timeout: 30 s.
    public static let defaultBodyTimeout: Duration = .seconds(30)
    /// Default keep-alive idle timeout: 30 s.
    public static let defaultIdleTimeout: Duration = .seconds(30)
    /// Default connection cap, lowered to fit the file descriptor limit (see ``fittingMaxConnections(openFileLimit:)``).
    public static let defaultMaxConnections = 4096
    /// File descriptors kept for files, pipes and git when the connection cap is fitted to the limit.
    public static let reservedDescriptors = 256

    /// Limits with the defaults unless given.
    public init(headerTimeout: Duration = defaultHeaderTimeout, bodyTimeout: Duration = defaultBodyTimeout,
                idleTimeout: Duration = defaultIdleTimeout, maxConnections: Int = defaultMaxConnections) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// The most connections a process allowed `openFileLimit` descriptors should accept.
    public static func fittingMaxConnections(openFileLimit: Int) -> Int {
        max(16, openFileLimit - reservedDescriptors)
    }

    /// Raises this process's soft `RLIMIT_NOFILE` to its hard limit and returns the soft limit now in force.
    @discardableResult
    public static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: min(limit.rlim_cur, rlim_t(Int32.max)))
    }
}
