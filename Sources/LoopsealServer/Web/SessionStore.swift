import Foundation
import LoopsealCrypto

/// One signed-in browser: the token it signed in with (by id) and its CSRF token.
public struct WebSession: Sendable, Equatable {
    /// The value of the session cookie: a random id (64 hex digits), or the signed session (``SessionCookie``).
    public let id: String
    /// The id of the API token the person signed in with; re-checked on every request.
    public let tokenID: String
    /// The CSRF token every form of this session carries (64 hex digits).
    public let csrf: String
    /// When the session ends, in seconds since 1970.
    public let expires: Double
}

/// Web sessions, in memory or, with a signing key, in the cookie itself.
///
/// In memory (no key): a session maps a random id (the `loopseal_session` cookie) to a token id
/// and a CSRF token for 8 hours; restarting the server signs everyone out. A token keeps at most
/// ``maxSessionsPerToken`` sessions: signing in again ends its oldest one, so a flood of sign-ins
/// with one token evicts only that token's sessions. When the whole store is full of other
/// tokens' sessions, a new sign-in is refused rather than signing anyone out.
///
/// Signed (``init(signingKey:lifetime:now:)``, `serve --session-key`): the cookie holds the
/// session (``SessionCookie``), so every replica with the same key accepts it and a restart
/// signs nobody out. Nothing is kept on the server: signing out clears the browser's cookie,
/// but a copy of it stays valid until it expires or its token is revoked, and the per-token
/// cap does not apply.
///
/// Either way the token itself is never kept: each request looks its record up again, so a
/// revoked token ends its sessions at once.
public final class SessionStore: @unchecked Sendable {
    /// The session cookie's name.
    public static let cookieName = "loopseal_session"
    /// The cookie holding the sign-in form's CSRF token (before there is a session).
    public static let signInCookieName = "loopseal_signin"
    /// How long a session lasts: 8 hours.
    public static let defaultLifetime: Double = 8 * 3600
    /// The purpose a session key is derived for from an identity (``signingKey(identity:)``).
    public static let keyPurpose = "web-session"

    /// Session length in seconds.
    public let lifetime: Double
    /// Most live sessions one token holds; the newest are kept.
    public let maxSessionsPerToken: Int
    private let maxSessions: Int
    private let now: @Sendable () -> Double
    private let signingKey: MACKey?
    private let lock = NSLock()
    /// Live sessions by id, each with its place in creation order.
    private var sessions: [String: (session: WebSession, serial: UInt64)] = [:]
    private var serial: UInt64 = 0

    /// A store whose sessions last `lifetime` seconds; at most `maxSessions` live at once, and
    /// at most `maxSessionsPerToken` per token. `now` is the clock, replaceable in tests.
    public init(lifetime: Double = SessionStore.defaultLifetime, maxSessions: Int = 10_000, maxSessionsPerToken: Int = 10,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.lifetime = lifetime
        self.maxSessions = max(1, maxSessions)
        self.maxSessionsPerToken = max(1, maxSessionsPerToken)
        self.now = now
        signingKey = nil
    }

    /// Signed sessions: each lives in its cookie, signed with `signingKey`, for `lifetime` seconds.
    public init(signingKey: MACKey, lifetime: Double = SessionStore.defaultLifetime,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.lifetime = lifetime
        maxSessions = 1
        maxSessionsPerToken = 1
        self.now = now
        self.signingKey = signingKey
    }

    /// Signed sessions when `signingKey` is set, else sessions in memory.
    public convenience init(signingKey: MACKey?) {
        if let signingKey { self.init(signingKey: signingKey) } else { self.init() }
    }

    /// The session key of `identity` (any `loopseal keygen` identity): a MAC key derived from its
    /// secret for ``keyPurpose``, never the secret itself. Replicas holding the same identity
    /// accept each other's sessions.
    public static func signingKey(identity: Identity) throws -> MACKey {
        try MACKey(identity: identity, purpose: keyPurpose)
    }

    /// True when sessions live in signed cookies.
    public var isSigned: Bool { signingKey != nil }

    /// Starts a session for token `tokenID`, ending that token's oldest sessions beyond
    /// ``maxSessionsPerToken``. Nil when the store holds its maximum of other tokens' sessions.
    public func create(tokenID: String) -> WebSession? {
        let time = now()
        if let signingKey {
            let csrf = Self.randomHex()
            let expires = Int((time + lifetime).rounded(.down))
            let value = SessionCookie.value(tokenID: tokenID, csrf: csrf, expires: expires, key: signingKey)
            return WebSession(id: value, tokenID: tokenID, csrf: csrf, expires: Double(expires))
        }
        let session = WebSession(id: Self.randomHex(), tokenID: tokenID, csrf: Self.randomHex(), expires: time + lifetime)
        lock.lock()
        defer { lock.unlock() }
        sessions = sessions.filter { $0.value.session.expires > time }
        let own = sessions.values.filter { $0.session.tokenID == tokenID }.sorted { $0.serial < $1.serial }.map(\.session.id)
        var ended = Array(own.prefix(max(0, own.count - maxSessionsPerToken + 1)))
        if sessions.count - ended.count >= maxSessions {
            guard own.count > ended.count else { return nil }
            ended.append(own[ended.count])
        }
        for id in ended { sessions[id] = nil }
        serial += 1
        sessions[session.id] = (session, serial)
        return session
    }

    /// The live session `id`, or nil when it is unknown or expired (an expired one is removed).
    public func session(id: String) -> WebSession? {
        let time = now()
        if let signingKey { return SessionCookie.session(id, key: signingKey, now: time, lifetime: lifetime) }
        lock.lock()
        defer { lock.unlock() }
        guard let session = sessions[id]?.session else { return nil }
        guard session.expires > time else {
            sessions[id] = nil
            return nil
        }
        return session
    }

    /// Ends session `id` (sign-out). Signed sessions are kept by nobody: nothing to do.
    public func delete(id: String) {
        lock.lock()
        defer { lock.unlock() }
        sessions[id] = nil
    }

    /// Ends every session of token `tokenID` (it was revoked). Signed sessions end on their own:
    /// each request finds the token gone.
    public func delete(tokenID: String) {
        lock.lock()
        defer { lock.unlock() }
        sessions = sessions.filter { $0.value.session.tokenID != tokenID }
    }

    /// The number of live sessions (always 0 when signed: none is kept).
    public var count: Int {
        let time = now()
        lock.lock()
        defer { lock.unlock() }
        return sessions.values.filter { $0.session.expires > time }.count
    }

    /// The number of live sessions of token `tokenID`.
    public func count(tokenID: String) -> Int {
        let time = now()
        lock.lock()
        defer { lock.unlock() }
        return sessions.values.filter { $0.session.tokenID == tokenID && $0.session.expires > time }.count
    }

    /// 32 random bytes as 64 lowercase hex digits.
    public static func randomHex() -> String {
        let digits = Array("0123456789abcdef".unicodeScalars)
        var out = String.UnicodeScalarView()
        for byte in Random.bytes(32) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(out)
    }

    /// Compares two tokens in time that depends only on their lengths.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
