import Foundation
import LoopsealCrypto
import LoopsealGit
@testable import LoopsealKit
import LoopsealStore
import Testing

/// The merge driver's decisions on the three versions of one sealed file, and the conflict
/// forms `resolve` reads. Real git merges are in the transcript git_merge_sealed_files.txt.
@Suite("merging sealed files")
struct SealedMergeTests {
    let alice: Identity, bob: Identity, carol: Identity
    let sealer = SecretSealer(workspaceID: "app")

    init() throws {
        alice = try Identity.generate()
        bob = try Identity.generate()
        carol = try Identity.generate()
    }

    func sealed(_ value: String, to identities: [Identity], id: String = "6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20") throws -> SealedSecret {
        try sealer.seal(id: id, key: "K", value: try SecureBytes(copying: Array(value.utf8)), to: identities.map(\.publicKey))
    }

    /// The merged workspace.yaml lists `listed` (nil: it could not be read).
    func context(_ identities: [Identity], listed: [Identity]? = nil) -> SealedMerge.Context {
        let config = listed.map { keys in
            WorkspaceConfig(workspace: "app", recipients: keys.map { key in
                Recipient(name: key.publicKey == alice.publicKey ? "alice" : key.publicKey == bob.publicKey ? "bob" : "carol",
                          publicKey: key.publicKey)
            })
        }
        return SealedMerge.Context(workspaceID: "app", config: config, identities: identities, signingKey: nil)
    }

    func merge(_ base: SealedSecret?, _ ours: SealedSecret, _ theirs: SealedSecret, as identities: [Identity],
               listed: [Identity]? = nil) -> SealedMerge.Outcome {
        SealedMerge.merge(base: base.map(SealedSecretCodec.encode) ?? [], ours: SealedSecretCodec.encode(ours),
                          theirs: SealedSecretCodec.encode(theirs), path: "workspaces/app/secrets/K.sealed",
                          context: context(identities, listed: listed))
    }

    func value(_ outcome: SealedMerge.Outcome, as identity: Identity) throws -> String {
        guard case .merged(let bytes, _) = outcome else { throw StoreError.io(path: "K", problem: "expected a clean merge, got \(outcome)") }
        let secret = try SealedSecretCodec.decode(bytes, file: "K")
        return try sealer.open(secret, identities: [identity], file: "K").withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    @Test("a rekey on one side and a new value on the other: the new value, sealed to the merged workspace.yaml's recipients")
    func rekeyAndValueChange() throws {
        let base = try sealed("old", to: [alice, bob])
        let dataKey = try sealer.openDataKey(of: base, identities: [alice], file: "K")
        let rekeyed = try #require(sealer.rekey(base, dataKey: dataKey, to: [alice, carol].map(\.publicKey)))
        let changed = try sealed("new", to: [alice, bob])
        for outcome in [merge(base, changed, rekeyed, as: [alice], listed: [alice, carol]),
                        merge(base, rekeyed, changed, as: [alice], listed: [alice, carol])] {
            #expect(try value(outcome, as: carol) == "new")
            #expect(throws: StoreError.self) { try value(outcome, as: bob) }
        }
        // Without a workspace.yaml nothing is re-sealed: the value side's file as it was.
        guard case .merged(let unread, let why) = merge(base, changed, rekeyed, as: [alice]) else { Issue.record("expected a merge"); return }
        #expect(unread == SealedSecretCodec.encode(changed) && why.contains("workspace.yaml could not be read"))
        // Without an identity bob's access is still dropped, carol's cannot be added: the note says to rekey.
        let blind = merge(base, changed, rekeyed, as: [], listed: [alice, carol])
        guard case .merged(let bytes, let note) = blind else { Issue.record("expected a merge"); return }
        #expect(Set(try SealedSecretCodec.decode(bytes, file: "K").recipients.keys) == [alice.publicKey.description])
        #expect(note.contains("run 'loopseal rekey'"))
    }

    @Test("both sides changed the value: equal values merge, different ones (or no identity) conflict without plaintext")
    func bothChanged() throws {
        let base = try sealed("old", to: [alice])
        let left = try sealed("same", to: [alice]), right = try sealed("same", to: [alice])
        #expect(try value(merge(base, left, right, as: [alice]), as: alice) == "same")
        guard case .conflict(let bytes, _) = merge(base, left, right, as: []) else { Issue.record("no identity must conflict"); return }
        let conflict = try #require(try SealedConflict.parse(bytes, file: "K"))
        #expect(conflict.ours == SealedSecretCodec.encode(left) && conflict.theirs == SealedSecretCodec.encode(right))
        let other = try sealed("other", to: [alice])
        guard case .conflict(let different, let reason) = merge(base, left, other, as: [alice]) else { Issue.record("must conflict"); return }
        #expect(reason == "both sides changed the value")
        #expect(!String(decoding: different, as: UTF8.self).contains("same"))
        // Both sides added the file (no base) with the same value: clean.
        #expect(try value(merge(nil, left, right, as: [alice]), as: alice) == "same")
    }

    @Test("the recipients are merged three ways")
    func recipientSets() throws {
        let base = try sealed("v", to: [alice, bob])
        let dataKey = try sealer.openDataKey(of: base, identities: [alice], file: "K")
        let withoutBob = try #require(sealer.rekey(base, dataKey: dataKey, to: [alice.publicKey]))
        let withCarol = try #require(sealer.rekey(base, dataKey: dataKey, to: [alice, bob, carol].map(\.publicKey)))
        // Both only re-sealed: bob removed on one side, carol added on the other; no identity needed.
        guard case .merged(let bytes, _) = merge(base, withoutBob, withCarol, as: [], listed: [alice, carol]) else {
            Issue.record("expected a merge"); return
        }
        let merged = try SealedSecretCodec.decode(bytes, file: "K")
        #expect(Set(merged.recipients.keys) == Set([alice, carol].map(\.publicKey.description)))
        #expect(try value(.merged(bytes, note: ""), as: carol) == "v")
    }

    @Test("with writers, a re-sealed result is signed by the merger, or left as the winning side when no signing key is found")
    func writers() throws {
        let writer = try SigningKey.generate()
        let config = WorkspaceConfig(workspace: "app", recipients: [Recipient(name: "alice", publicKey: alice.publicKey),
                                                                    Recipient(name: "carol", publicKey: carol.publicKey)],
                                     writers: [Writer(name: "alice", publicKey: writer.publicKey)])
        let signatures = WriterSignatures(config)
        let base = signatures.sign(try sealed("old", to: [alice]), with: writer)
        let dataKey = try sealer.openDataKey(of: base, identities: [alice], file: "K")
        let rekeyed = signatures.sign(try #require(sealer.rekey(base, dataKey: dataKey, to: [alice, carol].map(\.publicKey))), with: writer)
        let changed = signatures.sign(try sealed("new", to: [alice]), with: writer)
        func run(_ signingKey: SigningKey?) -> SealedMerge.Outcome {
            SealedMerge.merge(base: SealedSecretCodec.encode(base), ours: SealedSecretCodec.encode(changed),
                              theirs: SealedSecretCodec.encode(rekeyed), path: "K",
                              context: SealedMerge.Context(workspaceID: "app", config: config, identities: [alice], signingKey: signingKey))
        }
        guard case .merged(let signed, _) = run(writer) else { Issue.record("expected a merge"); return }
        let merged = try SealedSecretCodec.decode(signed, file: "K")
        try signatures.verify(merged, file: "K")
        #expect(Set(merged.recipients.keys) == Set([alice, carol].map(\.publicKey.description)))
        guard case .merged(let unsigned, let note) = run(nil) else { Issue.record("expected a merge"); return }
        #expect(unsigned == SealedSecretCodec.encode(changed))
        #expect(note.contains("no signing key"))
        // A side without a listed writer's signature is never signed by the merger: a conflict.
        var forged = try sealed("attacker", to: [alice])
        forged.signature = nil
        let outcome = SealedMerge.merge(base: SealedSecretCodec.encode(base), ours: SealedSecretCodec.encode(rekeyed),
                                        theirs: SealedSecretCodec.encode(forged), path: "K",
                                        context: SealedMerge.Context(workspaceID: "app", config: config, identities: [alice], signingKey: writer))
        guard case .conflict(_, let reason) = outcome else { Issue.record("an unsigned side must conflict"); return }
        #expect(reason.contains("their side is not signed by a writer"))
    }

    @Test("a key only a side's file lists is never sealed to: the merged workspace.yaml decides")
    func unlistedRecipient() throws {
        let mallory = try Identity.generate()
        let base = try sealed("old", to: [alice])
        var hostile = base
        hostile.recipients[mallory.publicKey.description] = Array(repeating: 7, count: 80)
        let changed = try sealed("new", to: [alice])
        guard case .merged(let bytes, _) = merge(base, changed, hostile, as: [alice], listed: [alice]) else {
            Issue.record("expected a merge"); return
        }
        #expect(bytes == SealedSecretCodec.encode(changed))
        #expect(throws: StoreError.self) { try value(.merged(bytes, note: ""), as: mallory) }
    }

    @Test("workspace.yaml is merged as git merges its text; where that conflicts, nothing")
    func workspaceTextMerge() throws {
        let git = GitRunner(directory: FileManager.default.temporaryDirectory.path)
        func text(_ lines: [String]) -> [UInt8] { Array((["workspace: app", "recipients:"] + lines).map { $0 + "\n" }.joined().utf8) }
        let base = text(["  a: A", "  b: B", "  c: C"])
        let merged = SealedMergeDriver.textMerge(ours: text(["  b: B", "  c: C"]), base: base,
                                                 theirs: text(["  a: A", "  b: B", "  c: C", "  d: D"]), git: git)
        #expect(merged == text(["  b: B", "  c: C", "  d: D"]))
        #expect(SealedMergeDriver.textMerge(ours: text(["  a: A", "  b: B", "  c: C", "  e: E"]), base: base,
                                            theirs: text(["  a: A", "  b: B", "  c: C", "  d: D"]), git: git) == nil)
    }

    @Test("a side that does not parse is a conflict keeping both files")
    func unreadableSide() throws {
        let good = SealedSecretCodec.encode(try sealed("v", to: [alice]))
        let outcome = SealedMerge.merge(base: [], ours: good, theirs: Array("not: [sealed".utf8), path: "K.sealed", context: context([alice]))
        guard case .conflict(_, let reason) = outcome else { Issue.record("expected a conflict"); return }
        #expect(reason.contains("K.sealed (theirs)"))
    }

    @Test("git's own conflict form (shared lines outside, diff3 base section) gives both whole files")
    func gitMarkers() throws {
        let text = "loopseal: 1\n<<<<<<< HEAD\nid: a\n||||||| base\nid: b\n=======\nid: c\n>>>>>>> theirs\nkey: K\n"
        let conflict = try #require(try SealedConflict.parse(Array(text.utf8), file: "K"))
        #expect(String(decoding: conflict.ours, as: UTF8.self) == "loopseal: 1\nid: a\nkey: K\n")
        #expect(String(decoding: conflict.theirs, as: UTF8.self) == "loopseal: 1\nid: c\nkey: K\n")
        #expect(try SealedConflict.parse(Array("loopseal: 1\n".utf8), file: "K") == nil)
        #expect(throws: StoreError.malformed(file: "K", line: 2, column: 1,
                                            problem: "conflict marker '=======' out of order: resolve the file with 'git checkout --ours' or '--theirs' and 'loopseal set'")) {
            try SealedConflict.parse(Array("a\n=======\n".utf8), file: "K")
        }
        #expect(throws: StoreError.self) { try SealedConflict.parse(Array("<<<<<<< HEAD\na\n".utf8), file: "K") }
    }
}
