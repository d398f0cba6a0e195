import Foundation

/// Rate limits for the sign-in form: attempts and failed attempts, per client address and for
/// the whole server, each a token bucket (a burst, refilled at a steady rate). A sign-in is let
/// through only when every bucket holds an attempt: a client that used up its failures waits
/// even with the right token, and no single address can use up the server's share.
///
/// Addresses are those of the connection: behind a proxy every client shares the proxy's
/// address, and the per-client limits act as a second server-wide limit. IPv6 addresses count
/// per /64 (one host usually holds the whole /64).
public final class SignInLimiter: @unchecked Sendable {
    /// A bucket: up to `burst` attempts at once, `perMinute` more each minute.
    public struct Rate: Sendable, Equatable {
        public var burst: Double
        public var perMinute: Double

        public init(burst: Double, perMinute: Double) {
            self.burst = burst
            self.perMinute = perMinute
        }
    }

    /// The four buckets' sizes and how many client addresses are tracked at once.
    public struct Limits: Sendable, Equatable {
        /// Sign-in attempts from one client address.
        public var clientAttempts = Rate(burst: 20, perMinute: 20)
        /// Failed sign-ins (unknown or revoked token) from one client address.
        public var clientFailures = Rate(burst: 10, perMinute: 2)
        /// Sign-in attempts to the whole server.
        public var serverAttempts = Rate(burst: 300, perMinute: 300)
        /// Failed sign-ins to the whole server.
        public var serverFailures = Rate(burst: 100, perMinute: 60)
        /// Client addresses remembered at once; past it the least recently seen is forgotten.
        public var maxClients = 10_000

        /// The defaults: 20 attempts and 10 failures per address (then 20 and 2 a minute), 300 and
        /// 100 for the server (then 300 and 60 a minute).
        public init() {}
    }

    /// What an attempt may do.
    public enum Verdict: Sendable, Equatable {
        case allowed
        /// Refused: `clientLimit` tells a client's own limit from the server's; try again after
        /// `retryAfter` seconds.
        case refused(retryAfter: Int, clientLimit: Bool)
    }

    public let limits: Limits
    private let now: @Sendable () -> Double
    private let lock = NSLock()
    private var server: (attempts: Bucket, failures: Bucket)
    private var clients: [String: (attempts: Bucket, failures: Bucket)] = [:]

    /// A limiter with `limits`; `now` (seconds) is the clock, replaceable in tests.
    public init(limits: Limits = Limits(), now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.limits = limits
        self.now = now
        let time = now()
        server = (Bucket(limits.serverAttempts, time), Bucket(limits.serverFailures, time))
    }

    /// Counts an attempt from `client` (see ``clientKey(_:)``), or refuses it without counting.
    public func attempt(client: String) -> Verdict {
        let time = now()
        lock.lock()
        defer { lock.unlock() }
        var own = buckets(client, time)
        own.attempts.refill(limits.clientAttempts, time)
        own.failures.refill(limits.clientFailures, time)
        server.attempts.refill(limits.serverAttempts, time)
        server.failures.refill(limits.serverFailures, time)
        let clientWait = max(own.attempts.wait(limits.clientAttempts), own.failures.wait(limits.clientFailures))
        let serverWait = max(server.attempts.wait(limits.serverAttempts), server.failures.wait(limits.serverFailures))
        if clientWait > 0 || serverWait > 0 {
            remember(client, own, time)
            return .refused(retryAfter: Int(min(max(clientWait, serverWait), 86_400).rounded(.up)), clientLimit: clientWait >= serverWait)
        }
        own.attempts.take()
        server.attempts.take()
        remember(client, own, time)
        return .allowed
    }

    /// Counts a failed sign-in from `client` (the token was empty, unknown or revoked).
    public func failed(client: String) {
        let time = now()
        lock.lock()
        defer { lock.unlock() }
        var own = buckets(client, time)
        own.failures.refill(limits.clientFailures, time)
        server.failures.refill(limits.serverFailures, time)
        own.failures.take()
        server.failures.take()
        remember(client, own, time)
    }

    /// The number of client addresses remembered.
    public var trackedClients: Int {
        lock.lock()
        defer { lock.unlock() }
        return clients.count
    }

    /// `client`'s buckets: those remembered, or full ones for a client not seen lately.
    private func buckets(_ client: String, _ time: Double) -> (attempts: Bucket, failures: Bucket) {
        clients[client] ?? (Bucket(limits.clientAttempts, time), Bucket(limits.clientFailures, time))
    }

    /// Stores `client`'s buckets, first forgetting full ones (they equal a new client's) and then,
    /// when still at ``Limits/maxClients``, the least recently seen.
    private func remember(_ client: String, _ buckets: (attempts: Bucket, failures: Bucket), _ time: Double) {
        if clients[client] == nil, clients.count >= limits.maxClients {
            clients = clients.filter { _, value in
                var attempts = value.attempts, failures = value.failures
                attempts.refill(limits.clientAttempts, time)
                failures.refill(limits.clientFailures, time)
                return attempts.tokens < limits.clientAttempts.burst || failures.tokens < limits.clientFailures.burst
            }
            if clients.count >= limits.maxClients,
               let stalest = clients.min(by: { $0.value.attempts.updated < $1.value.attempts.updated })?.key {
                clients[stalest] = nil
            }
        }
        clients[client] = buckets
    }

    /// The key a connection's peer address counts under: an IPv4 address as is, an IPv6 one by
    /// its /64 (an IPv4-mapped one as IPv4), anything else (no address, a Unix socket) as `local`.
    public static func clientKey(_ address: String?) -> String {
        guard let address, !address.isEmpty else { return "local" }
        guard address.contains(":") else { return address }
        var bytes = in6_addr()
        guard inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        let octets = withUnsafeBytes(of: &bytes) { Array($0) }
        if octets[0..<10].allSatisfy({ $0 == 0 }), octets[10] == 0xFF, octets[11] == 0xFF {
            return octets[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}

/// A token bucket: `tokens` attempts left as of `updated`.
private struct Bucket {
    var tokens: Double
    var updated: Double

    init(_ rate: SignInLimiter.Rate, _ time: Double) {
        tokens = rate.burst
        updated = time
    }

    mutating func refill(_ rate: SignInLimiter.Rate, _ time: Double) {
        if time > updated { tokens = min(rate.burst, tokens + (time - updated) * rate.perMinute / 60) }
        updated = max(updated, time)
    }

    /// Seconds until one attempt is available; 0 when one is.
    func wait(_ rate: SignInLimiter.Rate) -> Double {
        guard tokens < 1 else { return 0 }
        guard rate.perMinute > 0 else { return .infinity }
        return (1 - tokens) * 60 / rate.perMinute
    }

    mutating func take() {
        tokens = max(0, tokens - 1)
    }
}
