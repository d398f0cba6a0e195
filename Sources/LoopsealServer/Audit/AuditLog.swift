import Foundation
import LoopsealStore

/// One audit line. Names keys, never values.
public struct AuditEntry: Sendable, Codable, Equatable {
    /// ISO 8601 UTC time.
    public var time: String
    /// The acting token's id; `server` (``ServerCore/serverToken``) for what the server does
    /// by itself (resuming runs a crash left half-resumed).
    public var token: String
    /// The workspace changed.
    public var workspace: String
    /// What happened: `secret.create`, `secret.update`, `secret.upsert`, `secret.delete`,
    /// `run.start` (also a child run a transition started), `run.transition`, `run.secrets`,
    /// `run.resume` (a parent resumed by its child's end; `transition` is the one that waited).
    public var action: String
    /// The secret key, for secret actions.
    public var key: String?
    /// The run, for run actions.
    public var run: String?
    /// The transition fired, for run actions.
    public var transition: String?
    /// With `--git-push`: the short sha of another replica's commit whose write of the same key
    /// this one replaced (both were made at once; the later push wins).
    public var replaced: String?

    /// An entry stamped now.
    public init(token: String, workspace: String, action: String, key: String? = nil, run: String? = nil, transition: String? = nil) {
        time = Date().formatted(.iso8601)
        self.token = token
        self.workspace = workspace
        self.action = action
        self.key = key
        self.run = run
        self.transition = transition
    }
}

/// An append-only JSON-lines audit log: the entries of one change (or one batch of secret
/// writes) are one `write` on an `O_APPEND` descriptor, then `fsync`, so concurrent writers never
/// interleave. The server opens it before each change (``AuditAppender``). Without
/// `--git-commit`, a batch's lines are made durable before its files are renamed into place:
/// every change on disk has its line, and a crash (or a failing disk) can leave the lines of a
/// batch that was never made, whose requests were never answered 2xx. With `--git-commit`, and
/// for run changes, the lines follow the change and its commit: a crash can lose the lines of
/// the change being recorded.
public final class AuditLog: Sendable {
    /// The log file.
    public let path: String

    /// A log at `path` (created with mode 0600 on first write).
    public init(path: String) {
        self.path = path
    }

    /// Appends `entry`.
    public func record(_ entry: AuditEntry) throws {
        try AuditAppender(path: path).append([entry])
    }

    /// Opens the log for the entries of one change: called before the change, so a log that
    /// cannot be written refuses the change instead of losing its record.
    func appender() throws -> AuditAppender {
        try AuditAppender(path: path)
    }

    /// Every entry, oldest first (for tests and `loopseal token` tooling).
    public func entries() throws -> [AuditEntry] {
        guard let bytes = try FileIO.contentsIfExists(path) else { return [] }
        return try bytes.split(separator: 0x0A).map { try JSONDecoder().decode(AuditEntry.self, from: Data($0)) }
    }
}
