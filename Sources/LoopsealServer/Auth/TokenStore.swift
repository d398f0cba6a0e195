import Foundation
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

    /// True when the token is scoped to workspace `id`.
    public func allows(workspace id: String) -> Bool { workspaces.contains(id) }
}

/// Why a token operation failed.
public enum TokenError: Error, Sendable, CustomStringConvertible {
    case noWorkspaces
    case invalidWorkspace(String)
    case unknownToken(id: String, path: String)
    case unreadable(path: String, problem: String)

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
        }
    }
}

/// API tokens in the state directory (`tokens.json`, mode 0600, outside the repository).
///
/// A token reads `lst_<id>_<64 hex>`; it is shown once, at creation. Lookups re-read the file
/// when it changed, so `loopseal token revoke` takes effect on a running server at once.
public final class TokenStore: @unchecked Sendable {
    /// The state directory.
    public let directory: String
    /// The tokens file.
    public var path: String { "\(directory)/tokens.json" }
    private let lock = NSLock()
    private var cache: (stamp: [Int], records: [TokenRecord])?

    private struct File: Codable {
        var version: Int
        var tokens: [TokenRecord]
    }

    /// A store in `directory` (created on first write, mode 0700).
    public init(directory: String) {
        self.directory = directory
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
        let record = TokenRecord(id: id, name: name, role: role, workspaces: Array(Set(workspaces)).sorted(),
                                 hash: Self.hash(token), createdAt: Date().formatted(.iso8601))
        try update { $0.append(record) }
        return (token, record)
    }

    /// Every token record, oldest first.
    public func list() throws -> [TokenRecord] {
        try lock.withLock { try loadLocked() }
    }

    /// Deletes token `id` (or its name); returns what was removed.
    @discardableResult
    public func revoke(id: String) throws -> TokenRecord {
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
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "lst", parts[1].utf8.count == 12, parts[2].utf8.count == 64 else { return nil }
        guard let record = try list().first(where: { $0.id == parts[1] }) else { return nil }
        let given = Array(Self.hash(token).utf8)
        let stored = Array(record.hash.utf8)
        guard given.count == stored.count else { return nil }
        var difference: UInt8 = 0
        for index in given.indices { difference |= given[index] ^ stored[index] }
        return difference == 0 ? record : nil
    }

    /// The record with `id`, if the token still exists. Throws when the tokens file cannot be read.
    public func record(id: String) throws -> TokenRecord? {
        try list().first { $0.id == id }
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
