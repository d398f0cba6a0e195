import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import LoopsealWorkflows
import Testing

/// A workspace of ten secrets sealed to alice and bob, removed when dropped.
private final class LedgerScratch {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-exposure-\(UUID().uuidString)").path
    let alice: Identity
    let bob: Identity
    let workspace: Workspace
    var service: SecretService { SecretService(workspace: workspace) }
    var ledgerPath: String { ExposureLedger.path(in: workspace) }
    static let keys = (1...10).map { String(format: "K%02d", $0) }

    init() throws {
        alice = try Identity.generate()
        bob = try Identity.generate()
        workspace = try Workspace.create(root: root, id: "kit", recipients: [
            Recipient(name: "alice", publicKey: alice.publicKey), Recipient(name: "bob", publicKey: bob.publicKey),
        ])
        for key in Self.keys { try set(key, "ledger-canary-\(key)") }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func set(_ key: String, _ value: String) throws {
        _ = try service.upsert(key: key, value: try SecureBytes(copying: Array(value.utf8)))
    }

    func exposed(identities: [Identity]? = nil) throws -> [ExposedSecret] {
        try SecretExposure.list(service: service, identities: identities ?? [alice], recipient: "bob")
    }

    func ledgerText() throws -> String { String(decoding: try FileIO.contents(ledgerPath), as: UTF8.self) }
}

@Suite("exposure ledger (issue 18)")
struct ExposureLedgerTests {
    @Test("removing bob records the ten secrets he could read; three new values leave seven; the same value re-sealed stays; the rotation run clears the rest")
    func exposedUntilTheValueChanges() throws {
        let scratch = try LedgerScratch()
        #expect(try scratch.exposed().isEmpty)
        _ = try RecipientChanges.remove(name: "bob", from: scratch.service, identities: [scratch.alice], rekey: true, removedBy: "ops")
        let all = try scratch.exposed()
        #expect(all.map(\.key) == LedgerScratch.keys)
        #expect(all.allSatisfy { $0.verified && $0.removedBy == "alice" && $0.publicKey == scratch.bob.publicKey.description })
        _ = try scratch.service.rekey(identities: [scratch.alice])
        #expect(try scratch.exposed().count == 10)

        for key in ["K01", "K02", "K03"] { try scratch.set(key, "ledger-canary-new-\(key)") }
        #expect(try scratch.exposed().map(\.key) == Array(LedgerScratch.keys.dropFirst(3)))

        // upsert without identities re-seals the same value: new bytes, same value.
        let before = try scratch.service.find(key: "K04")?.value
        try scratch.set("K04", "ledger-canary-K04")
        #expect(try scratch.service.find(key: "K04")?.value != before)
        #expect(try scratch.exposed().map(\.key) == Array(LedgerScratch.keys.dropFirst(3)))
        #expect(try scratch.exposed(identities: []).first { $0.key == "K04" }?.verified == false)
        #expect(try scratch.exposed(identities: []).first { $0.key == "K05" }?.verified == true)
        // bob's own identity cannot open the fingerprint key: nothing verified by him.
        #expect(try scratch.exposed(identities: [scratch.bob]).first { $0.key == "K04" }?.verified == false)

        let runs = RunService(workspace: scratch.workspace)
        let started = try ExposureRotation.start(exposedTo: "bob", identities: [scratch.alice], runs: runs)
        #expect(started.run.workflow == "rotate-secrets")
        #expect(started.run.requestedKeys == Array(LedgerScratch.keys.dropFirst(3)))
        let values = try started.run.requestedKeys.map { ($0, try SecureBytes(copying: Array("ledger-canary-rotated-\($0)".utf8))) }
        let filled = try runs.provideSecrets(runID: started.run.id, values: values)
        #expect(filled.place == "confirming")
        #expect(try scratch.exposed().isEmpty)
        #expect(throws: ExposureError.nothingExposed(recipient: "bob")) {
            try ExposureRotation.start(exposedTo: "bob", identities: [scratch.alice], runs: runs)
        }
        let runText = String(decoding: try FileIO.contents("\(scratch.workspace.stateDirectory)/runs/\(started.run.id).json"), as: UTF8.self)
        #expect(!runText.contains("canary"))
    }

    @Test("the ledger holds names, keys and fingerprints, never a value, and reads back as written")
    func ledgerHoldsNoValue() throws {
        let scratch = try LedgerScratch()
        _ = try RecipientChanges.remove(name: "bob", from: scratch.service, identities: [scratch.alice], rekey: true)
        let text = try scratch.ledgerText()
        #expect(!text.contains("canary"))
        for key in LedgerScratch.keys {
            let value = Array("ledger-canary-\(key)".utf8)
            #expect(!text.contains(Hash.hex(Hash.blake2b(value))))
            #expect(!text.contains(Hash.hex(Hash.sha256(value))))
            #expect(!text.contains(Data(value).base64EncodedString()))
        }
        #expect(text.contains("recipient: bob") && text.contains(scratch.bob.publicKey.description))
        #expect(!text.contains(scratch.bob.publicKey.description + ":"), "the fingerprint key is not sealed to the removed recipient")
        let ledger = try ExposureLedger.load(from: scratch.workspace)
        #expect(ledger.removals.count == 1)
        #expect(ledger.removals[0].secrets.count == 10 && ledger.removals[0].secrets.allSatisfy { $0.value != nil })
        #expect(ExposureLedgerCodec.encode(ledger) == Array(text.utf8))
        #expect(try ExposureLedgerCodec.decode(ExposureLedgerCodec.encode(ledger), file: "x") == ledger)
    }

    @Test("a value fingerprint is keyed: without the key it matches no plain hash; key and name change it")
    func keyedFingerprint() throws {
        let value = try SecureBytes(copying: Array("1234".utf8))
        let key = try SecureBytes.random(count: KeyedFingerprint.keyBytes)
        let fingerprint = try KeyedFingerprint.compute(key: key, context: Array("PIN".utf8), value: value)
        #expect(fingerprint.count == 32)
        #expect(fingerprint == (try KeyedFingerprint.compute(key: key, context: Array("PIN".utf8), value: value)))
        #expect(fingerprint != Hash.blake2b(Array("1234".utf8)))
        #expect(fingerprint != (try KeyedFingerprint.compute(key: try SecureBytes.random(count: 32), context: Array("PIN".utf8), value: value)))
        #expect(fingerprint != (try KeyedFingerprint.compute(key: key, context: Array("PIN2".utf8), value: value)))
        #expect(throws: CryptoError.self) { try KeyedFingerprint.compute(key: try SecureBytes.random(count: 16), context: [], value: value) }
    }

    @Test("without identities (--no-rekey) the removal records sealed hashes only; a new seal is unverified, not cleared")
    func noRekeyRecordsSealedOnly() throws {
        let scratch = try LedgerScratch()
        _ = try RecipientChanges.remove(name: "bob", from: scratch.service, identities: [], rekey: false, removedBy: "ops")
        let ledger = try ExposureLedger.load(from: scratch.workspace)
        #expect(ledger.removals.first?.removedBy == "ops")
        #expect(ledger.removals.first?.fingerprintKey.isEmpty == true)
        #expect(ledger.removals.first?.secrets.allSatisfy { $0.value == nil } == true)
        try scratch.set("K01", "ledger-canary-other")
        #expect(try scratch.exposed().first?.key == "K01")
        #expect(try scratch.exposed().first?.verified == false)
    }

    @Test("a hostile ledger is refused by name, and recipients rm changes nothing then", arguments: [
        ("link", ""),
        ("huge", ""),
        ("alias bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"),
        ("unknown field", "version: 1\nremovals: []\nvalues: {K: v}\n"),
        ("newer", "version: 7\nremovals: []\n"),
        ("bad fingerprint", "version: 1\nremovals:\n  - recipient: bob\n    publicKey: age1xc0dc5zdzs9uhgzsuldmz6a4awpjensr736a2scf3apeq3ftk3xs2gsn89\n    removedAt: x\n    removedBy: y\n    secrets:\n      - key: K\n        sealed: not-hex-ledger-canary\n"),
        ("not a mapping", "- 1\n- 2\n"),
    ])
    func hostileLedger(_ kind: String, _ text: String) throws {
        let scratch = try LedgerScratch()
        switch kind {
        case "link": try FileManager.default.createSymbolicLink(atPath: scratch.ledgerPath, withDestinationPath: "/dev/zero")
        case "huge": try FileIO.writeAtomically([UInt8](repeating: 0x23, count: ExposureLedger.sizeLimit + 1), to: scratch.ledgerPath)
        default: try FileIO.writeAtomically(Array(text.utf8), to: scratch.ledgerPath)
        }
        let error = #expect(throws: (any Error).self) { try scratch.exposed() }
        let message = "\(error.map { "\($0)" } ?? "")"
        #expect(message.contains(scratch.ledgerPath), "\(message)")
        #expect(!message.contains("canary"), "\(message)")
        #expect(throws: (any Error).self) {
            try RecipientChanges.remove(name: "bob", from: scratch.service, identities: [scratch.alice], rekey: true)
        }
        #expect(try scratch.workspace.loadConfig().recipients.map(\.name) == ["alice", "bob"])
    }
}
