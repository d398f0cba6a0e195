import Foundation
import LoopsealStore
import LoopsealValue

/// What a following host (`watch --pull`) last did, written as JSON to `--status-file` after
/// every fetch: names, commits, times and counts, never a value.
public struct PullStatus: Sendable {
    /// One target's last sync.
    public struct TargetStatus: Sendable, Equatable {
        /// When it was last synced (ISO 8601).
        public var at: String
        /// `synced`, `unchanged` or `failed`.
        public var result: String
        /// How many keys it carries.
        public var keys: Int
        /// Why it failed, when it did.
        public var error: String?
    }

    /// A commit that was fetched and not applied.
    public struct Refusal: Sendable, Equatable {
        /// The refused commit.
        public var commit: String
        /// Why (not a fast-forward, not signed by a pinned writer, …).
        public var reason: String
        /// When it was refused.
        public var at: String
    }

    public var host: String
    public var workspace: String
    public var remote: String
    public var branch: String
    /// When the last fetch ended, and whether it worked.
    public var lastFetchAt: String?
    public var lastFetchResult: String?
    /// The commit whose secrets and targets are applied.
    public var appliedCommit: String?
    public var appliedAt: String?
    /// The last commit refused, while it is still what the branch points at.
    public var refused: Refusal?
    /// Per target (this host's only).
    public var targets: [String: TargetStatus] = [:]
    /// The last error (fetch, sync or refusal), kept until a pull succeeds.
    public var lastError: String?

    /// A blank status for `host` following `remote`/`branch` into `workspace`.
    public init(host: String, workspace: String, remote: String, branch: String) {
        self.host = host
        self.workspace = workspace
        self.remote = remote
        self.branch = branch
    }

    /// The status as JSON data.
    public var asValue: TemplateValue {
        func text(_ value: String?) -> TemplateValue { value.map(TemplateValue.string) ?? .null }
        let refusal: TemplateValue = refused.map {
            .dictionary([("commit", .string($0.commit)), ("reason", .string($0.reason)), ("at", .string($0.at))])
        } ?? .null
        let targetValues: [(String, TemplateValue)] = targets.keys.sorted().compactMap { name in
            guard let target = targets[name] else { return nil }
            return (name, .dictionary([("lastSyncAt", .string(target.at)), ("result", .string(target.result)),
                                       ("keys", .number(Double(target.keys))), ("error", text(target.error))]))
        }
        return .dictionary([
            ("host", .string(host)), ("workspace", .string(workspace)), ("remote", .string(remote)), ("branch", .string(branch)),
            ("lastFetch", .dictionary([("at", text(lastFetchAt)), ("result", text(lastFetchResult))])),
            ("appliedCommit", text(appliedCommit)), ("appliedAt", text(appliedAt)),
            ("refused", refusal), ("targets", .dictionary(targetValues)), ("lastError", text(lastError)),
        ])
    }

    /// Writes the status atomically to `path` (mode 0644: it holds no secret).
    public func write(to path: String) throws {
        try FileIO.writeAtomically(Array((asValue.jsonText(pretty: true) + "\n").utf8), to: path, mode: 0o644)
    }

    /// Reads a status file for `loopseal status`.
    public static func read(_ path: String) throws -> TemplateValue {
        guard let bytes = try FileIO.contentsIfExists(path, limit: 1 << 20, kind: "status file") else {
            throw PullError("\(path): no status file: is 'loopseal watch --pull --status-file \(path)' running here?")
        }
        do {
            return try TemplateValue(jsonText: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw PullError("\(path):\(error.line):\(error.column): not a status file (\(error.message))")
        }
    }

    /// The current UTC time, ISO 8601.
    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
