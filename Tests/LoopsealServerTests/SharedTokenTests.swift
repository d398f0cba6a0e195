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
    /// The replicas' token-record key (from their shared `--session-key` file).
    let key: MACKey

    init() throws {
        key = try TokenRecordMAC.key(identity: Identity.generate())
        base = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-tokens-\(UUID().uuidString)").path
        first = "\(base)/first"
        second = "\(base)/second"
        for root in [first, second] { try FileManager.default.createDirectory(atPath: "\(root)/workspaces", withIntermediateDirectories: true) }
    }

    /// A server-side store of `root` whose warnings go to `logs`.
    func serverStore(_ root: String, _ logs: LogCapture) -> TokenStore {
        TokenStore(repositoryRoot: root, key: key, badFiles: .skip(logging: Logger(label: "test") { _ in logs }))
    }

    /// Copies token file `id` from `from` to `to`, as a `git pull` would bring it.
    func copy(_ id: String, from: String, to: String) throws {
        try FileManager.default.createDirectory(atPath: TokenStore.sharedFolder(root: to), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(TokenStore.sharedFolder(root: from))/\(id).json",
                                         toPath: "\(TokenStore.sharedFolder(root: to))/\(id).json")
    }

    @Test("a token created on one root authenticates on another that received its file; the file holds only the hash")
    func createdOnOneWorksOnAnother() throws {
        let (token, record) = try TokenStore(repositoryRoot: first, key: key).create(workspaces: ["alpha"], role: .writer, name: "ci")
        let file = "\(first)/server/tokens/\(record.id).json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!text.contains(token) && !text.contains(String(token.suffix(64))))
        #expect(text.contains(record.hash))
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o644)

        let logs = LogCapture()
        let replica = serverStore(second, logs)
        #expect(try replica.authenticate(token) == nil)
        try copy(record.id, from: first, to: second)
        #expect(try replica.authenticate(token) == record)
        #expect(try replica.list() == [record])
        #expect(try replica.authenticate(String(token.dropLast()) + (token.hasSuffix("0") ? "1" : "0")) == nil)
    }

    @Test("revoking deletes the file; a deleted file is refused at once on every root")
    func revokeIsDelete() throws {
        let store = TokenStore(repositoryRoot: first, key: key)
        let (token, record) = try store.create(workspaces: ["alpha"], role: .reader)
        try copy(record.id, from: first, to: second)
        let replica = serverStore(second, LogCapture())
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
        let store = TokenStore(repositoryRoot: first, key: key)
        let one = try store.create(workspaces: ["alpha"], role: .reader, name: "one").record
        let two = try store.create(workspaces: ["beta"], role: .admin, name: "two").record
        #expect(try store.list().map(\.id).sorted() == [one.id, two.id].sorted())
        #expect(try store.revoke(id: "two") == two)
        #expect(try store.list() == [one])
    }

    enum Hostile: String, CaseIterable {
        case symlink, fifo, oversized, badJSON, nameNotID, oddName, badHash
        /// The attacker's own record (a hash of a token it chose), without a MAC or with a made-up one.
        case noMAC, forgedMAC
        /// A record signed with another key than the replicas'.
        case otherKey
        /// A signed record with one field changed.
        case roleChanged, workspacesChanged, nameChanged, createdAtChanged, hashChanged
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
        case .noMAC:
            var unsigned = record
            unsigned.mac = nil
            try write(unsigned, to: "\(folder)/\(name)")
        case .forgedMAC:
            var forged = record
            forged.mac = Hash.hex(Hash.blake2b(Array(record.hash.utf8)))
            try write(forged, to: "\(folder)/\(name)")
        case .otherKey:
            var other = record
            other.mac = TokenRecordMAC.mac(of: record, key: try TokenRecordMAC.key(identity: Identity.generate()))
            try write(other, to: "\(folder)/\(name)")
        case .roleChanged:
            try changed(good, "\"role\" : \"admin\"", "\"role\" : \"writer\"", to: "\(folder)/\(name)")
        case .workspacesChanged:
            try changed(good, "\"alpha\"", "\"beta\"", to: "\(folder)/\(name)")
        case .nameChanged:
            try changed(good, "\"id\" :", "\"name\" : \"x\",\n  \"id\" :", to: "\(folder)/\(name)")
        case .createdAtChanged:
            try changed(good, "\"createdAt\" : \"2", "\"createdAt\" : \"1", to: "\(folder)/\(name)")
        case .hashChanged:
            try changed(good, "\"hash\" : \"", "\"hash\" : \"\(Hash.hex(Array(repeating: 7, count: 32)))", to: "\(folder)/\(name)",
                        trim: 64)
        }
        return name
    }

    /// Writes `record` as `token create --shared` would.
    func write(_ record: TokenRecord, to file: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(record).write(to: URL(fileURLWithPath: file))
    }

    /// Writes `good` with `old` replaced by `new` (which must occur), dropping `trim` characters after it.
    func changed(_ good: String, _ old: String, _ new: String, to file: String, trim: Int = 0) throws {
        let range = try #require(good.range(of: old))
        let rest = good[range.upperBound...].dropFirst(trim)
        try (good[..<range.lowerBound] + new + rest).write(toFile: file, atomically: true, encoding: .utf8)
    }

    @Test("a hostile file is skipped by the server with a warning naming it, and never authenticates", arguments: Hostile.allCases)
    func serverSkipsHostileFiles(_ kind: Hostile) throws {
        let (token, record) = try TokenStore(repositoryRoot: first, key: key).create(workspaces: ["alpha"], role: .admin)
        let (goodToken, goodRecord) = try TokenStore(repositoryRoot: first, key: key).create(workspaces: ["alpha"], role: .reader)
        try copy(goodRecord.id, from: first, to: second)
        let name = try plant(kind, record: record)
        let logs = LogCapture()
        let replica = serverStore(second, logs)
        #expect(try replica.authenticate(token) == nil)
        #expect(try replica.list() == [goodRecord])
        #expect(try replica.authenticate(goodToken) == goodRecord)
        #expect(logs.text.contains("skipping a bad token file") && logs.text.contains(name), "\(logs.text)")
        #expect(!logs.text.contains(token) && !logs.text.contains(goodToken))
    }

    @Test("the CLI's store refuses a hostile file with an error naming it", arguments: Hostile.allCases)
    func cliRefusesHostileFiles(_ kind: Hostile) throws {
        let record = try TokenStore(repositoryRoot: first, key: key).create(workspaces: ["alpha"], role: .admin).record
        let name = try plant(kind, record: record)
        let error = try #require(throws: TokenError.self) { try TokenStore(repositoryRoot: second, key: key).list() }
        #expect(error.description.contains(name), "\(error)")
        #expect(error.description.contains("remove it"), "\(error)")
    }

    @Test("a server/tokens folder that is a link is refused, not followed")
    func linkedFolderRefused() throws {
        let (token, record) = try TokenStore(repositoryRoot: first, key: key).create(workspaces: ["alpha"], role: .admin)
        try FileManager.default.createDirectory(atPath: "\(second)/server", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(second)/server/tokens", withDestinationPath: "\(first)/server/tokens")
        #expect(throws: TokenError.self) { try serverStore(second, LogCapture()).authenticate(token) }
        #expect(throws: TokenError.self) { try serverStore(second, LogCapture()).record(id: record.id) }
    }

    @Test("serve uses the repository's tokens only as a replica, which needs the key; a server/tokens folder alone changes nothing")
    func selection() throws {
        var configuration = ServerConfiguration(root: first, stateDirectory: "\(base)/state")
        #expect(try !TokenStore(configuration: configuration).isShared)
        _ = try TokenStore(repositoryRoot: first, key: key).create(workspaces: ["alpha"], role: .reader)
        #expect(try !TokenStore(configuration: configuration).isShared)
        configuration.replica = ReplicaSettings()
        let error = try #require(throws: TokenError.self) { try TokenStore(configuration: configuration) }
        #expect(error.description.contains("--session-key FILE") && error.description.contains("$LOOPSEAL_SESSION_KEY_FILE"))
        configuration.tokenRecordKey = key
        let store = try TokenStore(configuration: configuration)
        #expect(store.isShared && store.path == "\(first)/server/tokens")
    }

    @Test("plain serve with a server/tokens folder in the repository keeps the state directory's tokens")
    func plainServeKeepsStateTokens() async throws {
        let (sharedToken, _) = try TokenStore(repositoryRoot: first, key: key).create(workspaces: ["alpha"], role: .admin)
        let (stateToken, _) = try TokenStore(directory: "\(base)/state").create(workspaces: ["alpha"], role: .reader)
        let core = try ServerCore(configuration: ServerConfiguration(root: first, stateDirectory: "\(base)/state"))
        #expect(!core.tokens.isShared)
        try await Application(router: LoopsealHTTPServer.router(core: core)).test(.router) { client in
            let state = try await client.call("/api/v1/workspaces", token: stateToken).status
            let shared = try await client.call("/api/v1/workspaces", token: sharedToken).status
            #expect(state == .ok && shared == .unauthorized)
        }
    }

    @Test("a record whose token the attacker chose, unsigned or signed with another key, gets 401 from the API and a warning naming it")
    func apiRefusesUnsignedRecords() async throws {
        let alice = try Identity.generate()
        _ = try Workspace.create(root: second, id: "alpha", recipients: [Recipient(name: "alice", publicKey: alice.publicKey)])
        let folder = TokenStore.sharedFolder(root: second)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let chosen = "lst_0123456789ab_" + String(repeating: "5", count: 64)
        let unsigned = TokenRecord(id: "0123456789ab", name: nil, role: .admin, workspaces: ["alpha"], hash: TokenStore.hash(chosen),
                                   createdAt: "2026-01-01T00:00:00Z")
        var otherKeyRecord = unsigned, signedRecord = unsigned
        otherKeyRecord.mac = TokenRecordMAC.mac(of: unsigned, key: try TokenRecordMAC.key(identity: Identity.generate()))
        signedRecord.mac = TokenRecordMAC.mac(of: unsigned, key: key)
        let otherKey = otherKeyRecord, signed = signedRecord
        let file = "\(folder)/0123456789ab.json"
        let logs = LogCapture()
        let core = try ServerCore(configuration: ServerConfiguration(root: second, stateDirectory: "\(base)/state"),
                                  tokens: serverStore(second, logs))
        try await Application(router: LoopsealHTTPServer.router(core: core)).test(.router) { client in
            try write(unsigned, to: file)
            #expect(try await client.call("/api/v1/workspaces", token: chosen).status == .unauthorized)
            try write(otherKey, to: file)
            #expect(try await client.call("/api/v1/workspaces", token: chosen).status == .unauthorized)
            try write(signed, to: file)
            #expect(try await client.call("/api/v1/workspaces", token: chosen).status == .ok)
        }
        #expect(logs.text.contains("skipping a bad token file") && logs.text.contains("0123456789ab.json") && logs.text.contains("no valid mac"))
        #expect(!logs.text.contains(chosen))
    }

    @Test("the MAC covers every field: raising a reader to admin, or changing its workspaces, name, hash or date, breaks it")
    func macCoversEveryField() throws {
        let record = try TokenStore(repositoryRoot: first, key: key).create(workspaces: ["beta", "alpha"], role: .reader, name: "ci").record
        #expect(TokenRecordMAC.isValid(record, key: key))
        let otherKey = try TokenRecordMAC.key(identity: Identity.generate())
        #expect(!TokenRecordMAC.isValid(record, key: otherKey))
        #expect(try TokenStore(repositoryRoot: first, key: key).list() == [record])
        let mac = record.mac
        let changes = [
            TokenRecord(id: record.id, name: record.name, role: .admin, workspaces: record.workspaces, hash: record.hash, createdAt: record.createdAt, mac: mac),
            TokenRecord(id: record.id, name: record.name, role: record.role, workspaces: record.workspaces + ["gamma"], hash: record.hash, createdAt: record.createdAt, mac: mac),
            TokenRecord(id: record.id, name: record.name, role: record.role, workspaces: ["alpha"], hash: record.hash, createdAt: record.createdAt, mac: mac),
            TokenRecord(id: record.id, name: nil, role: record.role, workspaces: record.workspaces, hash: record.hash, createdAt: record.createdAt, mac: mac),
            TokenRecord(id: record.id, name: "", role: record.role, workspaces: record.workspaces, hash: record.hash, createdAt: record.createdAt, mac: mac),
            TokenRecord(id: "0123456789ab", name: record.name, role: record.role, workspaces: record.workspaces, hash: record.hash, createdAt: record.createdAt, mac: mac),
            TokenRecord(id: record.id, name: record.name, role: record.role, workspaces: record.workspaces, hash: String(repeating: "0", count: 64), createdAt: record.createdAt, mac: mac),
            TokenRecord(id: record.id, name: record.name, role: record.role, workspaces: record.workspaces, hash: record.hash, createdAt: "2020-01-01T00:00:00Z", mac: mac),
        ]
        for change in changes { #expect(!TokenRecordMAC.isValid(change, key: key), "\(change)") }
        let reordered = TokenRecord(id: record.id, name: record.name, role: record.role, workspaces: record.workspaces.reversed(),
                                    hash: record.hash, createdAt: record.createdAt, mac: mac)
        #expect(TokenRecordMAC.isValid(reordered, key: key))
        let raised = TokenRecord(id: record.id, name: record.name, role: .admin, workspaces: record.workspaces, hash: record.hash, createdAt: record.createdAt, mac: mac)
        try write(raised, to: "\(first)/server/tokens/\(record.id).json")
        let error = try #require(throws: TokenError.self) { try TokenStore(repositoryRoot: first, key: key).list() }
        #expect(error.description.contains("\(record.id).json") && error.description.contains("no valid mac"), "\(error)")
    }

    @Test("an unknown token id runs the unknown-token handler (a pull) and is looked up once more; rate-limited")
    func unknownTokenPulls() async throws {
        let (token, record) = try TokenStore(repositoryRoot: first, key: key).create(workspaces: ["alpha"], role: .writer)
        try FileManager.default.createDirectory(atPath: TokenStore.sharedFolder(root: second), withIntermediateDirectories: true)
        let configuration = ServerConfiguration(root: second, stateDirectory: "\(base)/state")
        let core = try ServerCore(configuration: configuration, tokens: serverStore(second, LogCapture()))
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
        let (token, record) = try TokenStore(repositoryRoot: first, key: key).create(workspaces: ["alpha"], role: .reader)
        let alice = try Identity.generate()
        _ = try Workspace.create(root: second, id: "alpha", recipients: [Recipient(name: "alice", publicKey: alice.publicKey)])
        try FileManager.default.createDirectory(atPath: TokenStore.sharedFolder(root: second), withIntermediateDirectories: true)
        let configuration = ServerConfiguration(root: second, stateDirectory: "\(base)/state")
        let core = try ServerCore(configuration: configuration, tokens: serverStore(second, LogCapture()))
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
