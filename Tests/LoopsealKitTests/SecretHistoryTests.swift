import Foundation
import LoopsealCrypto
import LoopsealGit
import LoopsealKit
import LoopsealStore
import Testing

/// A real temporary git repository holding workspace `hist` (alice, bob), removed when dropped.
private final class HistoryRepo {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-history-\(UUID().uuidString)").path
    let alice: Identity
    let bob: Identity
    let carol: Identity
    let workspace: Workspace
    let git: GitRunner
    var service: SecretService { SecretService(workspace: workspace) }

    init() throws {
        alice = try Identity.generate()
        bob = try Identity.generate()
        carol = try Identity.generate()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        git = GitRunner(directory: root, environment: environment)
        _ = try git.checked(["init", "-q"])
        _ = try git.checked(["config", "user.name", "Alice"])
        _ = try git.checked(["config", "user.email", "alice@example.com"])
        _ = try git.checked(["config", "commit.gpgsign", "false"])
        workspace = try Workspace.create(root: root, id: "hist", recipients: [
            Recipient(name: "alice", publicKey: alice.publicKey), Recipient(name: "bob", publicKey: bob.publicKey),
        ])
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Sets `key` to `value` through the store.
    func set(_ key: String, _ value: String, signedBy signer: SigningKey? = nil) throws {
        let loader = SigningKeyLoader(file: nil, environment: signer.map { ["LOOPSEAL_SIGNING_KEY": $0.encodedSecretKey()] } ?? [:])
        _ = try SecretService(workspace: workspace, signingKeys: loader).upsert(key: key, value: try SecureBytes(copying: Array(value.utf8)))
    }

    /// Commits everything; returns the commit's hash.
    @discardableResult
    func commit(_ message: String, author: String? = nil, date: String = "2024-05-01T12:00:00+02:00") throws -> String {
        _ = try git.checked(["add", "-A"])
        _ = try git.checked(["commit", "-q", "-m", message, "--date", date] + (author.map { ["--author", $0] } ?? []))
        return try git.checked(["rev-parse", "HEAD"]).text
    }

    func log(_ key: String = "API_KEY", identities: [Identity], limit: Int? = nil) throws -> [SecretHistoryEntry] {
        try SecretHistory.entries(of: key, in: workspace, identities: identities, git: git, limit: limit)
    }

    func value(_ key: String = "API_KEY", at revision: String, identities: [Identity]) throws -> String {
        try SecretAtRevision.value(of: key, at: revision, in: workspace, identities: identities, git: git)
            .withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    func write(_ relative: String, _ bytes: [UInt8]) throws {
        try FileIO.writeAtomically(bytes, to: "\(workspace.directory)/\(relative)")
    }

    /// Created, changed, re-sealed to carol as well (recipient added, rekeyed), changed again.
    func fourVersions() throws -> [String] {
        try set("API_KEY", "history-v1")
        let created = try commit("create", date: "2024-05-01T10:00:00+02:00")
        try set("API_KEY", "history-v2")
        let changed = try commit("change", author: "Bob <bob@example.com>", date: "2024-05-02T10:00:00+02:00")
        _ = try service.changeRecipients(action: "add carol", identities: [alice]) {
            $0.recipients.append(Recipient(name: "carol", publicKey: self.carol.publicKey))
        }
        let resealed = try commit("add carol", date: "2024-05-03T10:00:00+02:00")
        try set("API_KEY", "history-v3")
        let changedAgain = try commit("change again", date: "2024-05-04T10:00:00+02:00")
        return [changedAgain, resealed, changed, created]
    }
}

@Suite("loopseal log and get --at: a secret's history from git")
struct SecretHistoryTests {
    @Test("created, changed, re-sealed to a new recipient, changed again: four entries, newest first, kinds from the values")
    func fourKinds() throws {
        let repo = try HistoryRepo()
        let commits = try repo.fourVersions()
        let entries = try repo.log(identities: [repo.alice])
        #expect(entries.map(\.commit) == commits)
        #expect(entries.map(\.kind) == [.valueChanged, .resealed, .valueChanged, .created])
        #expect(entries[1].recipientsAdded == ["carol"])
        #expect(entries[1].recipientsRemoved.isEmpty)
        #expect(entries.allSatisfy { $0.problem == nil && $0.writer == nil })
        #expect(entries[2].author == "Bob <bob@example.com>")
        #expect(entries[0].author == "Alice <alice@example.com>")
        #expect(entries[3].date == "2024-05-01T10:00:00+02:00")
        #expect(try repo.log(identities: [repo.alice], limit: 2).map(\.commit) == Array(commits.prefix(2)))
    }

    @Test("without an identity a new ciphertext is 'value or sealing changed'; an unchanged ciphertext is still 're-sealed only'")
    func withoutIdentity() throws {
        let repo = try HistoryRepo()
        _ = try repo.fourVersions()
        let entries = try repo.log(identities: [])
        #expect(entries.map(\.kind) == [.valueOrSealingChanged, .resealed, .valueOrSealingChanged, .created])
        #expect(entries[1].recipientsAdded == ["carol"])
    }

    @Test("an identity that opens both versions tells a re-seal of the same value from a change")
    func sameValueSetAgain() throws {
        let repo = try HistoryRepo()
        try repo.set("API_KEY", "same-value")
        try repo.commit("create")
        let old = try #require(try repo.service.find(key: "API_KEY"))
        let again = try SecretSealer(workspaceID: "hist").seal(id: old.id, key: "API_KEY", value: try SecureBytes(copying: Array("same-value".utf8)),
                                                               to: try repo.workspace.loadConfig().publicKeys)
        #expect(again.value != old.value)
        try repo.write("secrets/API_KEY.sealed", SealedSecretCodec.encode(again))
        try repo.commit("sealed again")
        #expect(try repo.log(identities: [repo.bob]).map(\.kind) == [.resealed, .created])
        #expect(try repo.log(identities: [repo.carol]).map(\.kind) == [.valueOrSealingChanged, .created])
    }

    @Test("get --at returns the value each commit held, by hash and by revision expression")
    func valueAtEachCommit() throws {
        let repo = try HistoryRepo()
        let commits = try repo.fourVersions()
        let expected = ["history-v3", "history-v2", "history-v2", "history-v1"]
        for (commit, value) in zip(commits, expected) {
            #expect(try repo.value(at: commit, identities: [repo.alice]) == value)
        }
        #expect(try repo.value(at: "HEAD~3", identities: [repo.bob]) == "history-v1")
        #expect(try repo.value(at: "HEAD~1", identities: [repo.carol]) == "history-v2")
        #expect(throws: StoreError.self) { try repo.value(at: "HEAD~2", identities: [repo.carol]) }
    }

    @Test("get --at names an unknown revision, and a key absent at the commit with the revision and the commit")
    func getAtErrors() throws {
        let repo = try HistoryRepo()
        let commits = try repo.fourVersions()
        #expect(throws: GitHistoryError.unknownRevision("no-such-branch")) { try repo.value(at: "no-such-branch", identities: [repo.alice]) }
        #expect(throws: GitHistoryError.unknownRevision("--output=/tmp/x")) { try repo.value(at: "--output=/tmp/x", identities: [repo.alice]) }
        #expect(throws: SecretHistoryError.absent(key: "OTHER", revision: "HEAD", commit: commits[0], workspace: "hist")) {
            try repo.value("OTHER", at: "HEAD", identities: [repo.alice])
        }
        let message = "\(SecretHistoryError.absent(key: "OTHER", revision: "HEAD", commit: commits[0], workspace: "hist"))"
        #expect(message.contains("'OTHER'") && message.contains("'HEAD'") && message.contains(String(commits[0].prefix(12))))
        #expect(throws: StoreError.invalidKey("../x")) { try repo.value("../x", at: "HEAD", identities: [repo.alice]) }
    }

    @Test("a workspace outside any git repository is a clear error")
    func notARepository() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-nogit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let workspace = try Workspace.create(root: root, id: "plain", recipients: [Recipient(name: "a", publicKey: try Identity.generate().publicKey)])
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CEILING_DIRECTORIES"] = FileManager.default.temporaryDirectory.path
        let git = GitRunner(directory: root, environment: environment)
        #expect(throws: GitHistoryError.notARepository(directory: workspace.directory)) {
            try SecretHistory.entries(of: "API_KEY", in: workspace, identities: [], git: git)
        }
        #expect(throws: GitHistoryError.notARepository(directory: workspace.directory)) {
            try SecretAtRevision.value(of: "API_KEY", at: "HEAD", in: workspace, identities: [], git: git)
        }
    }

    @Test("a version that does not parse, or is too large, is an entry with its problem; get --at refuses it")
    func unreadableVersions() throws {
        let repo = try HistoryRepo()
        try repo.set("API_KEY", "history-v1")
        try repo.commit("create")
        try repo.write("secrets/API_KEY.sealed", Array("loopseal: 1\nid: nonsense\n".utf8))
        let broken = try repo.commit("break it")
        try repo.write("secrets/API_KEY.sealed", [UInt8](repeating: 0x23, count: FileLimits.sealedFile + 1))
        let huge = try repo.commit("huge")
        try FileManager.default.removeItem(atPath: try repo.workspace.secretPath(for: "API_KEY"))
        try repo.set("API_KEY", "history-v2")
        try repo.commit("repair")
        let entries = try repo.log(identities: [repo.alice])
        #expect(entries.map(\.kind) == [.valueOrSealingChanged, .unreadable, .unreadable, .created])
        let brokenProblem = try #require(entries[2].problem)
        #expect(brokenProblem.contains("\(broken.prefix(12)):workspaces/hist/secrets/API_KEY.sealed"))
        #expect(brokenProblem.contains("'id' must be a UUID"))
        #expect(try #require(entries[1].problem).contains("over the \(FileLimits.sealedFile)-byte limit"))
        #expect(throws: StoreError.self) { try repo.value(at: broken, identities: [repo.alice]) }
        #expect(throws: StoreError.self) { try repo.value(at: huge, identities: [repo.alice]) }
    }

    @Test("deleted and declared versions; a secret deleted at a commit is absent there")
    func deletedAndDeclared() throws {
        let repo = try HistoryRepo()
        try repo.set("API_KEY", "history-v1")
        try repo.commit("create")
        try repo.service.delete(key: "API_KEY")
        let deleted = try repo.commit("delete")
        _ = try repo.service.declare(key: "API_KEY")
        try repo.commit("request it again")
        #expect(try repo.log(identities: [repo.alice]).map(\.kind) == [.declared, .deleted, .created])
        #expect(throws: SecretHistoryError.self) { try repo.value(at: deleted, identities: [repo.alice]) }
        #expect(throws: StoreError.self) { try repo.value(at: "HEAD", identities: [repo.alice]) }
    }

    @Test("a change made on a merged branch is listed as the branch's commit, with its author; the merge is not")
    func mergedBranch() throws {
        let repo = try HistoryRepo()
        try repo.set("API_KEY", "history-v1")
        try repo.commit("create")
        let main = try repo.git.checked(["rev-parse", "--abbrev-ref", "HEAD"]).text
        _ = try repo.git.checked(["checkout", "-q", "-b", "feature"])
        try repo.set("API_KEY", "history-v2")
        let onBranch = try repo.commit("change on a branch", author: "Bob <bob@example.com>")
        _ = try repo.git.checked(["checkout", "-q", main])
        try repo.write("notes.txt", Array("unrelated\n".utf8))
        try repo.commit("unrelated on main")
        _ = try repo.git.checked(["merge", "-q", "--no-ff", "--no-edit", "feature"])
        let entries = try repo.log(identities: [repo.alice])
        #expect(entries.map(\.commit).first == onBranch)
        #expect(entries.map(\.kind) == [.valueChanged, .created])
        #expect(entries.first?.author == "Bob <bob@example.com>")
        #expect(try repo.value(at: "HEAD", identities: [repo.alice]) == "history-v2")
    }

    @Test("a merge that resolves both sides' changes with a third value is listed, and so are both branches' commits")
    func conflictingMerge() throws {
        let repo = try HistoryRepo()
        try repo.set("API_KEY", "history-v1")
        let created = try repo.commit("create")
        let main = try repo.git.checked(["rev-parse", "--abbrev-ref", "HEAD"]).text
        _ = try repo.git.checked(["checkout", "-q", "-b", "feature"])
        try repo.set("API_KEY", "history-branch")
        let onBranch = try repo.commit("on the branch", date: "2024-05-02T10:00:00+02:00")
        _ = try repo.git.checked(["checkout", "-q", main])
        try repo.set("API_KEY", "history-main")
        let onMain = try repo.commit("on main", date: "2024-05-03T10:00:00+02:00")
        #expect(try repo.git.run(["merge", "-q", "--no-edit", "feature"]).status != 0)
        try FileManager.default.removeItem(atPath: try repo.workspace.secretPath(for: "API_KEY"))
        try repo.set("API_KEY", "history-merged")
        let merge = try repo.commit("merge feature", date: "2024-05-04T10:00:00+02:00")
        let entries = try repo.log(identities: [repo.alice])
        #expect(entries.map(\.commit) == [merge, onMain, onBranch, created])
        #expect(entries.map(\.kind) == [.valueChanged, .valueChanged, .valueChanged, .created])
        #expect(try repo.value(at: "\(merge)^2", identities: [repo.alice]) == "history-branch")
    }

    @Test("the signer is named from that commit's writers:, a bad signature is the entry's problem, get --at refuses it")
    func writers() throws {
        let repo = try HistoryRepo()
        let signer = try SigningKey.generate()
        let stranger = try SigningKey.generate()
        var config = try repo.workspace.loadConfig()
        config.writers = [Writer(name: "deploy-bot", publicKey: signer.publicKey)]
        try repo.workspace.saveConfig(config)
        try repo.set("API_KEY", "history-v1", signedBy: signer)
        try repo.commit("signed")
        let path = try repo.workspace.secretPath(for: "API_KEY")
        var secret = try SealedSecretCodec.decode(try #require(try FileIO.contentsIfExists(path, limit: FileLimits.sealedFile)), file: path)
        secret = WriterSignatures(workspaceID: "hist", writers: [Writer(name: "x", publicKey: stranger.publicKey)]).sign(secret, with: stranger)
        try repo.write("secrets/API_KEY.sealed", SealedSecretCodec.encode(secret))
        let forged = try repo.commit("signed by a stranger")
        let entries = try repo.log(identities: [repo.alice])
        #expect(entries.map(\.kind) == [.resealed, .created])
        #expect(entries[1].writer == "deploy-bot")
        #expect(entries[1].problem == nil)
        #expect(entries[0].writer == String(stranger.publicKey.description.prefix(12)) + "…" + String(stranger.publicKey.description.suffix(4))
                + " (not a listed writer)")
        #expect(try #require(entries[0].problem).contains("deploy-bot"))
        #expect(try repo.value(at: "HEAD~1", identities: [repo.alice]) == "history-v1")
        #expect(throws: StoreError.self) { try repo.value(at: forged, identities: [repo.alice]) }
    }

    @Test("a signature that does not match the file's content names nobody as the signer")
    func unverifiedSignature() throws {
        let repo = try HistoryRepo()
        try repo.set("API_KEY", "history-v1")
        _ = try repo.commit("create")
        let path = "\(repo.root)/workspaces/hist/secrets/API_KEY.sealed"
        var secret = try SealedSecretCodec.decode(try #require(try FileIO.contentsIfExists(path, limit: FileLimits.sealedFile)), file: path)
        let claimed = try SigningKey.generate()
        secret.signature = SealedSecret.Signature(writer: claimed.publicKey, ed25519: Array(repeating: 1, count: 64))
        try repo.write("secrets/API_KEY.sealed", SealedSecretCodec.encode(secret))
        _ = try repo.commit("a made-up signature")
        let entries = try repo.log(identities: [repo.alice])
        #expect(entries[0].writer == nil)
        #expect(try #require(entries[0].problem).contains("signature does not match"))
    }

    @Test("a workspace.yaml that does not parse at a commit is named in that entry: its signature could not be checked")
    func brokenConfigAtCommit() throws {
        let repo = try HistoryRepo()
        try repo.set("API_KEY", "history-v1")
        try repo.commit("create")
        try repo.set("API_KEY", "history-v2")
        try repo.write("workspace.yaml", Array("workspace: [unclosed\n".utf8))
        let broken = try repo.commit("broken workspace.yaml")
        let entries = try repo.log(identities: [repo.alice])
        #expect(entries.map(\.kind) == [.valueChanged, .created])
        let problem = try #require(entries[0].problem)
        #expect(problem.contains("\(broken.prefix(12)):workspaces/hist/workspace.yaml"))
        #expect(problem.hasSuffix("the writer signature was not checked"))
        #expect(entries[1].problem == nil)
        #expect(throws: StoreError.self) { try repo.value(at: broken, identities: [repo.alice]) }
    }

    @Test("no value appears in any entry or error")
    func noValueInOutput() throws {
        let repo = try HistoryRepo()
        _ = try repo.fourVersions()
        let text = try repo.log(identities: [repo.alice]).map { "\($0)" }.joined()
        #expect(!text.contains("history-v"))
        var errors: [String] = []
        do { _ = try repo.value("OTHER", at: "HEAD", identities: [repo.alice]) } catch { errors.append("\(error)") }
        do { _ = try repo.value(at: "HEAD", identities: [try Identity.generate()]) } catch { errors.append("\(error)") }
        #expect(errors.count == 2)
        #expect(!errors.joined().contains("history-v"))
    }
}
