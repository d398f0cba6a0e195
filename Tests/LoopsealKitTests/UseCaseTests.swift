import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import LoopsealWorkflows
import Testing

/// A temporary root with one workspace sealed to alice and bob, removed when dropped.
private final class Scratch {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-kit-\(UUID().uuidString)").path
    let alice: Identity
    let bob: Identity
    let workspace: Workspace
    var service: SecretService { SecretService(workspace: workspace) }

    init() throws {
        alice = try Identity.generate()
        bob = try Identity.generate()
        workspace = try Workspace.create(root: root, id: "kit", recipients: [
            Recipient(name: "alice", publicKey: alice.publicKey), Recipient(name: "bob", publicKey: bob.publicKey),
        ])
        _ = try service.upsert(key: "API_KEY", value: try SecureBytes(copying: Array("kit-canary-1".utf8)))
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func identityFile(_ identity: Identity) throws -> String {
        let path = root + "/\(UUID().uuidString).key"
        try FileIO.writeAtomically(Array((identity.encodedSecretKey() + "\n").utf8), to: path, mode: 0o600)
        return path
    }
}

@Suite("application layer use cases")
struct UseCaseTests {
    @Test("verification opens every value with an identity, and reports a file sealed to other recipients")
    func verification() throws {
        let scratch = try Scratch()
        let loader = IdentityLoader(files: [try scratch.identityFile(scratch.alice)], environment: [:])
        let clean = try WorkspaceVerification.run(scratch.service, identities: loader)
        #expect(clean.problems.isEmpty)
        #expect((clean.secrets, clean.withValue, clean.opened) == (1, 1, 1))
        _ = try RecipientChanges.remove(name: "bob", from: scratch.service, identities: [], rekey: false)
        let stale = try WorkspaceVerification.run(scratch.service, identities: IdentityLoader(files: [], environment: [:]))
        #expect(stale.opened == nil)
        #expect(stale.problems.count == 1)
        #expect(stale.problems.first?.contains("sealed to other recipients than workspace.yaml lists") == true)
        #expect(!stale.problems.joined().contains("kit-canary"))
    }

    @Test("removing a recipient names the secrets they could read; the last one cannot be removed")
    func recipients() throws {
        let scratch = try Scratch()
        let change = try RecipientChanges.remove(name: "bob", from: scratch.service, identities: [scratch.alice], rekey: true)
        #expect(change.exposed == ["API_KEY"])
        #expect(change.rewritten == 1)
        #expect(throws: KitError.lastRecipient(name: "alice")) {
            try RecipientChanges.remove(name: "alice", from: scratch.service, identities: [scratch.alice], rekey: true)
        }
        let carol = try Identity.generate()
        #expect(throws: KitError.self) { try RecipientChanges.newRecipient(name: "carol", publicKey: "age1notakey") }
        let added = try RecipientChanges.add(try RecipientChanges.newRecipient(name: "carol", publicKey: carol.publicKey.description),
                                             to: scratch.service, identities: [scratch.alice], rekey: true)
        #expect(added.exposed.isEmpty)
        #expect(try scratch.service.reveal(key: "API_KEY", identities: [carol]).withUnsafeBytes { Array($0) } == Array("kit-canary-1".utf8))
    }

    @Test("rotation refuses a key the workspace does not have, before starting any run")
    func rotationNeedsTheSecret() throws {
        let scratch = try Scratch()
        let runs = RunService(workspace: scratch.workspace, syncer: IdentitySyncer(loader: IdentityLoader(files: [], environment: [:])))
        #expect(throws: KitError.nothingToRotate(key: "MISSING", workspace: "kit")) {
            try SecretRotation(key: "MISSING", workflow: "rotate-secret", runs: runs)
        }
    }
}
