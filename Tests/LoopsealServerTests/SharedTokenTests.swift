import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import LoopsealCrypto
@testable import LoopsealServer
import LoopsealStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Tokens kept in the repository (`server/tokens/<id>.json`): what one replica creates works on
/// another that received the file, a deleted file is a revoked token, and hostile files are
/// refused (CLI) or skipped with a warning (server), never authenticating.
@Suite("shared tokens in the repository")
struct SharedTokenTests {
    let base: String
    let first: String
    let second: String

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-tokens-\(UUID().uuidString)").path
        first = "\(base)/first"
        second = "\(base)/second"
        for root in [first, second] { try FileManager.default.createDirectory(atPath: "\(root)/workspaces", withIntermediateDirectories: true) }
    }

    /// A server-side store of `root` whose warnings go to `logs`.
    static func serverStore(_ root: String, _ logs: LogCapture) -> TokenStore {
        TokenStore(repositoryRoot: root, badFiles: .skip(logging: Logger(label: "test") { _ in logs }))
    }

    /// Copies token file `id` from `from` to `to`, as a `git pull` would bring it.
    func copy(_ id: String, from: String, to: String) throws {
        try FileManager.default.createDirectory(atPath: TokenStore.sharedFolder(root: to), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(TokenStore.sharedFolder(root: from))/\(id).json",
                                         toPath: "\(TokenStore.sharedFolder(root: to))/\(id).json")
    }

    @Test("a token created on one root authenticates on another that received its file; the file holds only the hash")
    func createdOnOneWorksOnAnother() throws {
        let (token, record) = try TokenStore(repositoryRoot: first).create(workspaces: ["alpha"], role: .writer, name: "ci")
        let file = "\(first)/server/tokens/\(record.id).json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!text.contains(token) && !text.contains(String(token.suffix(64))))
        #expect(text.contains(record.hash))
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o644)

        let logs = LogCapture()
        let replica = Self.serverStore(second, logs)
        #expect(try replica.authenticate(token) == nil)
        try copy(record.id, from: first, to: second)
        #expect(try replica.authenticate(token) == record)
        #expect(try replica.list() == [record])
        #expect(try replica.authenticate(String(token.dropLast()) + (token.hasSuffix("0") ? "1" : "0")) == nil)
    }

    @Test("revoking deletes the file; a deleted file is refused at once on every root")
    func revokeIsDelete() throws {
        let store = TokenStore(repositoryRoot: first)
        let (token, record) = try store.create(workspaces: ["alpha"], role: .reader)
        try copy(record.id, from: first, to: second)
        let replica = Self.serverStore(second, LogCapture())
        #expect(try replica.authenticate(token) == record)
        #expect(try store.revoke(id: record.id) == record)
        #expect(!FileManager.default.fileExists(atPath: "\(first)/server/tokens/\(record.id).json"))
        #expect(try store.authenticate(token) == nil)
        try FileManager.default.removeItem(atPath: "\(second)/server/tokens/\(record.id).json")
        #expect(try replica.authenticate(token) == nil)
        #expect(try replica.record(id: record.id) == nil)
        #expect(throws: TokenError.self) { try store.revoke(id: record.id) }
    }

    @Test("revoke by name; list shows every token, oldest first")
    func revokeByName() throws {
        let store = TokenStore(repositoryRoot: first)
        let one = try store.create(workspaces: ["alpha"], role: .reader, name: "one").record
        let two = try store.create(workspaces: ["beta"], role: .admin, name: "two").record
        #expect(try store.list().map(\.id).sorted() == [one.id, two.id].sorted())
        #expect(try store.revoke(id: "two") == two)
        #expect(try store.list() == [one])
    }

    enum Hostile: String, CaseIterable {
        case symlink, fifo, oversized, badJSON, nameNotID, oddName, badHash
    }

    /// Puts a hostile file in `second`'s folder that would hold `record` of `token` if it were
    /// read; returns its name.
    func plant(_ kind: Hostile, record: TokenRecord) throws -> String {
        let folder = TokenStore.sharedFolder(root: second)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let good = try String(contentsOfFile: "\(first)/server/tokens/\(record.id).json", encoding: .utf8)
        let name = "\(record.id).json"
        switch kind {
        case .symlink:
            try good.write(toFile: "\(base)/elsewhere.json", atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: "\(folder)/\(name)", withDestinationPath: "\(base)/elsewhere.json")
        case .fifo:
            #expect(mkfifo("\(folder)/\(name)", 0o644) == 0)
        case .oversized:
            try (good + String(repeating: " ", count: 2 << 20)).write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
        case .badJSON:
            try "{ \"id\": \"\(record.id)\", ".write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
        case .nameNotID:
            try good.write(toFile: "\(folder)/0123456789ab.json", atomically: true, encoding: .utf8)
            return "0123456789ab.json"
        case .oddName:
            try good.write(toFile: "\(folder)/\(record.id).json.orig", atomically: true, encoding: .utf8)
            return "\(record.id).json.orig"
        case .badHash:
            try good.replacingOccurrences(of: record.hash, with: String(repeating: "Z", count: 64))
                .write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
        }
        return name
    }

    @Test("a hostile file is skipped by the server with a warning naming it, and never authenticates", arguments: Hostile.allCases)
    func serverSkipsHostileFiles(_ kind: Hostile) throws {
        let (token, record) = try TokenStore(repositoryRoot: first).create(workspaces: ["alpha"], role: .admin)
        let (goodToken, goodRecord) = try TokenStore(repositoryRoot: first).create(workspaces: ["alpha"], role: .reader)
        try copy(goodRecord.id, from: first, to: second)
        let name = try plant(kind, record: record)
        let logs = LogCapture()
        let replica = Self.serverStore(second, logs)
        #expect(try replica.authenticate(token) == nil)
        #expect(try replica.list() == [goodRecord])
        #expect(try replica.authenticate(goodToken) == goodRecord)
        #expect(logs.text.contains("skipping a bad token file") && logs.text.contains(name), "\(logs.text)")
        #expect(!logs.text.contains(token) && !logs.text.contains(goodToken))
    }

    @Test("the CLI's store refuses a hostile file with an error naming it", arguments: Hostile.allCases)
    func cliRefusesHostileFiles(_ kind: Hostile) throws {
        let record = try TokenStore(repositoryRoot: first).create(workspaces: ["alpha"], role: .admin).record
        let name = try plant(kind, record: record)
        let error = try #require(throws: TokenError.self) { try TokenStore(repositoryRoot: second).list() }
        #expect(error.description.contains(name), "\(error)")
        #expect(error.description.contains("remove it"), "\(error)")
    }

    @Test("a server/tokens folder that is a link is refused, not followed")
    func linkedFolderRefused() throws {
        let (token, record) = try TokenStore(repositoryRoot: first).create(workspaces: ["alpha"], role: .admin)
        try FileManager.default.createDirectory(atPath: "\(second)/server", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(second)/server/tokens", withDestinationPath: "\(first)/server/tokens")
        #expect(throws: TokenError.self) { try Self.serverStore(second, LogCapture()).authenticate(token) }
        #expect(throws: TokenError.self) { try Self.serverStore(second, LogCapture()).record(id: record.id) }
    }

    @Test("serve picks the repository's tokens when server/tokens exists or it is a replica, else the state directory")
    func selection() throws {
        var configuration = ServerConfiguration(root: first, stateDirectory: "\(base)/state")
        #expect(!TokenStore(configuration: configuration).isShared)
        configuration.replica = ReplicaSettings()
        #expect(TokenStore(configuration: configuration).isShared)
        configuration.replica = nil
        _ = try TokenStore(repositoryRoot: first).create(workspaces: ["alpha"], role: .reader)
        let store = TokenStore(configuration: configuration)
        #expect(store.isShared && store.path == "\(first)/server/tokens")
    }

    @Test("an unknown token id runs the unknown-token handler (a pull) and is looked up once more; rate-limited")
    func unknownTokenPulls() async throws {
        let (token, record) = try TokenStore(repositoryRoot: first).create(workspaces: ["alpha"], role: .writer)
        try FileManager.default.createDirectory(atPath: TokenStore.sharedFolder(root: second), withIntermediateDirectories: true)
        let configuration = ServerConfiguration(root: second, stateDirectory: "\(base)/state")
        let core = try ServerCore(configuration: configuration)
        let pulls = Counter()
        // An hour: a full suite on 2 cores can starve this task for a minute between two lines.
        core.tokens.setUnknownTokenHandler(minimumInterval: 3600) {
            pulls.increment()
            try? copy(record.id, from: first, to: second)
        }
        #expect(try core.authenticate(bearer: token) == nil)
        #expect(try await core.authenticateRefreshing(bearer: token) == record)
        #expect(pulls.value == 1)
        // Known now: no pull. Malformed or another unknown id within the interval: no second pull.
        #expect(try await core.authenticateRefreshing(bearer: token) == record)
        #expect(try await core.authenticateRefreshing(bearer: "lst_ffffffffffff_" + String(repeating: "0", count: 64)) == nil)
        #expect(try await core.authenticateRefreshing(bearer: "not a token") == nil)
        #expect(pulls.value == 1)
        #expect(try await core.tokenRefreshing(id: record.id) == record)
    }

    @Test("the API answers a token from another root once its file arrives, and 401 once it is deleted")
    func apiFollowsTheFolder() async throws {
        let (token, record) = try TokenStore(repositoryRoot: first).create(workspaces: ["alpha"], role: .reader)
        let alice = try Identity.generate()
        _ = try Workspace.create(root: second, id: "alpha", recipients: [Recipient(name: "alice", publicKey: alice.publicKey)])
        try FileManager.default.createDirectory(atPath: TokenStore.sharedFolder(root: second), withIntermediateDirectories: true)
        let configuration = ServerConfiguration(root: second, stateDirectory: "\(base)/state")
        let core = try ServerCore(configuration: configuration)
        try await Application(router: LoopsealHTTPServer.router(core: core)).test(.router) { client in
            #expect(try await client.call("/api/v1/workspaces", token: token).status == .unauthorized)
            try copy(record.id, from: first, to: second)
            #expect(try await client.call("/api/v1/workspaces", token: token).status == .ok)
            try FileManager.default.removeItem(atPath: "\(second)/server/tokens/\(record.id).json")
            #expect(try await client.call("/api/v1/workspaces", token: token).status == .unauthorized)
        }
    }
}

/// A thread-safe counter for handlers called from tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
