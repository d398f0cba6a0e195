import Foundation
import Logging
import LoopsealCrypto
import LoopsealStore

#if canImport(Glibc)
import Glibc
import LoopsealDiagnostics
#endif

/// A stored API token: everything but the token itself, of which only a BLAKE2b hash is kept.
public struct TokenRecord: Sendable, Equatable, Codable {
    /// Public identifier (also the token's second part); audit lines name it.
    public let id: String
    /// Optional label chosen at creation.
    public let name: String?
    /// What the token may do.
    public let role: Role
    /// The workspace ids it may see; every other workspace answers 404.
    public let workspaces: [String]
    /// Hex BLAKE2b-256 of the whole token string.
    public let hash: String
    /// Creation time, ISO 8601 UTC.
    public let createdAt: String
    /// In the repository (`server/tokens/`): the hex ``TokenRecordMAC`` of every other field,
    /// under the replicas' session key; a record without a valid one is refused. Nil in the
    /// state directory.
    public var mac: String?

    /// True when the token is scoped to workspace `id`.
    public func allows(workspace id: String) -> Bool { workspaces.contains(id) }
}

/// Why a token operation failed.
public enum TokenError: Error, Sendable, CustomStringConvertible {
    case noWorkspaces
    case invalidWorkspace(String)
    case unknownToken(id: String, path: String)
    case unreadable(path: String, problem: String)
    /// A file under `server/tokens/` that is not a token file `loopseal token create --shared` wrote.
    case badFile(path: String, problem: String)
    /// Shared tokens without the replicas' session key, which verifies and signs their records.
    case needsSessionKey

    public var description: String {
        switch self {
        case .noWorkspaces:
            return "a token needs at least one --workspace ID"
        case .invalidWorkspace(let id):
            return "'\(id.prefix(64))' is not a workspace id: ids are lowercase letters, digits, '_' and '-'"
        case .unknownToken(let id, let path):
            return "no token '\(id.prefix(40))' in \(path): 'loopseal token list' shows the ids"
        case .unreadable(let path, let problem):
            return "\(path): \(problem); fix or remove the file (tokens must then be created again)"
        case .badFile(let path, let problem):
            return "\(path): \(problem); remove it ('git rm' it in the repository): it authenticates nothing"
        case .needsSessionKey:
            return "shared tokens (server/tokens/ in the repository) need the replicas' session key, which signs and verifies every token record: "
                + "pass --session-key FILE or set $LOOPSEAL_SESSION_KEY_FILE (the identity file from 'loopseal keygen -o FILE' that every 'serve --git-push' replica is given)"
        }
    }
}

/// API tokens in the state directory (`tokens.json`, mode 0600, outside the repository), or in
/// the repository (``init(repositoryRoot:key:badFiles:)``: one file per token in `server/tokens/`,
/// shared by every replica through git, each record carrying a MAC under the replicas' session
/// key; see ``TokenFolder`` and ``TokenRecordMAC``).
///
/// A token reads `lst_<id>_<64 hex>`; it is shown once, at creation, and only its BLAKE2b hash is
/// stored: the hash of 256 random bits, safe to publish. Lookups re-read what changed, so
/// `loopseal token revoke` (or a `git pull` that deletes a token file) takes effect on a running
/// server at once.
public final class TokenStore: @unchecked Sendable {
    /// What the repository-backed store does with a bad file under `server/tokens/`.
    public enum BadFiles: Sendable {
        /// Fail with an error naming the file (the CLI).
        case refuse
        /// Skip it with a warning naming it (the server): a hostile file must not stop it.
        case skip(logging: Logger)
    }

    /// The state directory, or the repository's `server/tokens` folder.
    public let directory: String
    /// The tokens file (`tokens.json`), or the repository's `server/tokens` folder.
    public var path: String { folder?.path ?? "\(directory)/tokens.json" }
    /// True when the tokens live in the repository.
    public var isShared: Bool { folder != nil }
    private let folder: TokenFolder?
    private let refresh = TokenRefresh()
    private let lock = NSLock()
    private var cache: (stamp: [Int], records: [TokenRecord])?

    private struct File: Codable {
        var version: Int
        var tokens: [TokenRecord]
    }

    /// A store in `directory` (created on first write, mode 0700).
    public init(directory: String) {
        self.directory = directory
        folder = nil
    }

    /// A store in repository `root`'s `server/tokens/` folder (created on first write). A missing
    /// folder holds no tokens. `key` (``TokenRecordMAC/key(identity:)``) signs the records it
    /// creates; a record without a valid MAC under it is a bad file.
    public init(repositoryRoot root: String, key: MACKey, badFiles: BadFiles = .refuse) {
        let folder = TokenFolder(root: root, key: key, policy: badFiles)
        self.folder = folder
        directory = folder.path
    }

    /// The store `serve` uses: the repository's when `configuration` is a replica (`--git-push`),
    /// checked with its ``ServerConfiguration/tokenRecordKey`` (a replica without one is refused);
    /// else the state directory's, even when the repository has a `server/tokens/` folder (a
    /// merged file must not switch the tokens a server accepts).
    public convenience init(configuration: ServerConfiguration) throws {
        if configuration.replica != nil {
            guard let key = configuration.tokenRecordKey else { throw TokenError.needsSessionKey }
            self.init(repositoryRoot: configuration.root, key: key, badFiles: .skip(logging: configuration.logger))
        } else {
            self.init(directory: configuration.stateDirectory)
        }
    }

    /// The folder of shared tokens in repository `root`: `server/tokens`.
    public static func sharedFolder(root: String) -> String { "\(root)/server/tokens" }

    /// Sets what runs when a well-formed token's id is not in the store
    /// (``ServerCore/authenticateRefreshing(bearer:)``): on a replica, a `git pull` that may
    /// bring its file. It is started at most once per `minimumInterval` seconds; lookups that
    /// come while it runs wait for it, lookups after it within the interval do not start another.
    public func setUnknownTokenHandler(minimumInterval: Double = 1, _ handler: (@Sendable () async -> Void)?) {
        refresh.set(handler, minimumInterval: minimumInterval)
    }

    /// Runs the unknown-token handler when `token` is well formed and its id is not in the
    /// store; true when it ran (or one running finished), so a second lookup may find it.
    public func refreshIfUnknown(token: String) async -> Bool {
        guard let id = Self.id(of: token), (try? record(id: id)) == .some(nil) else { return false }
        return await refresh.run()
    }

    /// ``refreshIfUnknown(token:)`` for a token id (a web session's).
    public func refreshIfUnknown(id: String) async -> Bool {
        guard TokenFolder.isTokenID(id), (try? record(id: id)) == .some(nil) else { return false }
        return await refresh.run()
    }

    /// `$LOOPSEAL_STATE`, else `$XDG_STATE_HOME/loopseal`, else `~/.local/state/loopseal`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["LOOPSEAL_STATE"], !state.isEmpty { return state }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return "\(xdg)/loopseal" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return "\(home)/.local/state/loopseal"
    }

    /// Creates a token and returns it (the only time it is visible) with its record.
    public func create(workspaces: [String], role: Role, name: String? = nil) throws -> (token: String, record: TokenRecord) {
        guard !workspaces.isEmpty else { throw TokenError.noWorkspaces }
        for id in workspaces where !Names.isValidWorkspaceID(id) { throw TokenError.invalidWorkspace(id) }
        let id = Hash.hex(Random.bytes(6))
        let token = "lst_\(id)_\(Hash.hex(Random.bytes(32)))"
        var record = TokenRecord(id: id, name: name, role: role, workspaces: Array(Set(workspaces)).sorted(),
                                 hash: Self.hash(token), createdAt: Date().formatted(.iso8601))
        if let folder {
            record = try folder.create(record)
        } else {
            try update { $0.append(record) }
        }
        return (token, record)
    }

    /// Every token record, oldest first.
    public func list() throws -> [TokenRecord] {
        if let folder { return try folder.list() }
        return try lock.withLock { try loadLocked() }
    }

    /// Deletes token `id` (or its name); returns what was removed.
    @discardableResult
    public func revoke(id: String) throws -> TokenRecord {
        if let folder {
            guard let record = try folder.record(id: id) ?? folder.list().first(where: { $0.name == id }) else {
                throw TokenError.unknownToken(id: id, path: path)
            }
            try folder.remove(id: record.id)
            return record
        }
        var removed: TokenRecord?
        try update { records in
            guard let index = records.firstIndex(where: { $0.id == id }) ?? records.firstIndex(where: { $0.name == id }) else {
                throw TokenError.unknownToken(id: id, path: path)
            }
            removed = records.remove(at: index)
        }
        guard let removed else { throw TokenError.unknownToken(id: id, path: path) }
        return removed
    }

    /// The record of `token`, or nil when it is unknown, revoked or malformed.
    /// The hash comparison is constant-time. Throws when the tokens file cannot be read: that
    /// is the server's failure, never the caller's.
    public func authenticate(_ token: String) throws -> TokenRecord? {
        guard let id = Self.id(of: token), let record = try record(id: id) else { return nil }
        let given = Array(Self.hash(token).utf8)
        let stored = Array(record.hash.utf8)
        guard given.count == stored.count else { return nil }
        var difference: UInt8 = 0
        for index in given.indices { difference |= given[index] ^ stored[index] }
        return difference == 0 ? record : nil
    }

    /// The record with `id`, if the token still exists. Throws when the tokens file cannot be read.
    public func record(id: String) throws -> TokenRecord? {
        if let folder { return try folder.record(id: id) }
        return try list().first { $0.id == id }
    }

    /// The id of a well-formed token (`lst_<12 hex>_<64 hex>`), or nil.
    static func id(of token: String) -> String? {
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "lst", parts[2].utf8.count == 64, TokenFolder.isTokenID(String(parts[1])) else { return nil }
        return String(parts[1])
    }

    static func hash(_ token: String) -> String {
        Hash.hex(Hash.blake2b(Array(token.utf8)))
    }

    private func update(_ change: (inout [TokenRecord]) throws -> Void) throws {
        try FileIO.makeDirectory(directory, mode: 0o700)
        try WorkspaceLock.withLock(at: "\(directory)/tokens.lock") {
            try lock.withLock {
                cache = nil
                var records = try loadLocked()
                try change(&records)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(File(version: 1, tokens: records))
                try FileIO.writeAtomically(Array(data) + [0x0A], to: path, mode: 0o600)
                cache = nil
            }
        }
    }

    private func loadLocked() throws -> [TokenRecord] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return [] }
            throw TokenError.unreadable(path: path, problem: String(cString: strerror(errno)))
        }
        let stamp = [Int(info.st_ino), Int(info.st_size), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec)]
        if let cache, cache.stamp == stamp { return cache.records }
        guard let bytes = try FileIO.contentsIfExists(path) else { return [] }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(bytes))
        } catch {
            throw TokenError.unreadable(path: path, problem: "not a tokens file (\(error))")
        }
        guard file.version == 1 else {
            throw TokenError.unreadable(path: path, problem: "version \(file.version) is newer than this loopseal understands")
        }
        cache = (stamp, file.tokens)
        return file.tokens
    }
}

extension TokenError: LoopsealError {}
