import Foundation
import Logging
import LoopsealCrypto
@testable import LoopsealServer
import LoopsealStore
import LoopsealSystem
import Testing

/// A bare remote holding workspace `alpha` (recipient: alice) on `main`, and clones of it, each
/// for one ``ServerCore`` replica (`--git-push`) whose regular pulls are an hour apart: tests
/// pull by hand (``Replica/pull()``).
final class ReplicaFixture: @unchecked Sendable {
    let base: String
    let remote: String
    let clones: [String]
    let alice: Identity
    let logs = LogCapture()
    /// The replicas' token-record key (`serve --session-key`: the same file on every replica).
    let tokenKey: MACKey

    init(replicas: Int = 2) throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-replica-\(UUID().uuidString)").path
        remote = "\(base)/remote.git"
        alice = try Identity.generate()
        tokenKey = try TokenRecordMAC.key(identity: Identity.generate())
        let base = base, remote = remote
        let seed = "\(base)/seed"
        try FileManager.default.createDirectory(atPath: seed, withIntermediateDirectories: true)
        _ = try Workspace.create(root: seed, id: "alpha", recipients: [Recipient(name: "alice", publicKey: alice.publicKey)])
        try Self.git(["init", "-q", "--bare", "-b", "main", remote], in: base)
        for arguments in [["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "-m", "initial"],
                          ["push", "-q", remote, "main"]] {
            try Self.git(arguments, in: seed)
        }
        let clones = (0..<replicas).map { "\(base)/replica-\($0)" }
        for clone in clones { try Self.git(["clone", "-q", remote, clone], in: base) }
        self.clones = clones
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    /// A replica on clone `index`, with the fixture's token key (none: `withTokenKey` false).
    func core(_ index: Int, withTokenKey: Bool = true) throws -> ServerCore {
        var logger = Logger(label: "loopseal.server.replica-test") { [logs] _ in logs }
        logger.logLevel = .trace
        var configuration = ServerConfiguration(
            root: clones[index], stateDirectory: "\(base)/state-\(index)", logger: logger,
            replica: ReplicaSettings(pullInterval: 3600))
        configuration.tokenRecordKey = withTokenKey ? tokenKey : nil
        return try ServerCore(configuration: configuration)
    }

    /// A writer token of `core` for `alpha`.
    func writer(_ core: ServerCore) throws -> TokenRecord {
        try #require(try core.authenticate(bearer: try core.tokens.create(workspaces: ["alpha"], role: .writer).token))
    }

    /// Workspace `alpha` in clone `index`.
    func alpha(_ index: Int) throws -> Workspace { try Workspace(root: clones[index], id: "alpha") }

    /// The value of `key` in clone `index`'s files.
    func reveal(_ key: String, in index: Int) throws -> String {
        let value = try SecretService(workspace: try alpha(index)).reveal(key: key, identities: [alice])
        return value.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// The value of `key` on the remote's `main` (a fresh clone).
    func remoteReveal(_ key: String) throws -> String {
        let check = "\(base)/check-\(UUID().uuidString)"
        try Self.git(["clone", "-q", remote, check], in: base)
        defer { try? FileManager.default.removeItem(atPath: check) }
        let value = try SecretService(workspace: try Workspace(root: check, id: "alpha")).reveal(key: key, identities: [alice])
        return value.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// The path of `key`'s file, relative to a clone's root.
    static func path(_ key: String) -> String { "workspaces/alpha/secrets/\(key).sealed" }

    /// `git ARGUMENTS` in `directory`'s output; throws when git fails.
    @discardableResult
    static func git(_ arguments: [String], in directory: String) throws -> String {
        let outcome = try ChildProcess.run(["git", "-C", directory] + arguments, environment: ["GIT_TERMINAL_PROMPT": "0", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        guard outcome.status == 0 else { throw GitCommitter.Failure(step: "git \(arguments.first ?? "")", output: outcome.errorText) }
        return String(decoding: outcome.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// `text`'s bytes as a value.
func secretValue(_ text: String) throws -> SecureBytes { try SecureBytes(copying: Array(text.utf8)) }
