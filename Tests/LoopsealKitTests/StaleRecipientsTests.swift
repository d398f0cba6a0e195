import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import Testing

/// Issue 14, "stale recipients are loud": which files a read saw are sealed to other recipients
/// than `workspace.yaml` lists, and who can run `loopseal rekey`.
@Suite("stale recipients")
struct StaleRecipientsTests {
    /// alice, bob and carol with keys; `workspace.yaml` lists the names given.
    private struct People {
        let alice: Recipient, bob: Recipient, carol: Recipient

        init() throws {
            alice = Recipient(name: "alice", publicKey: try Identity.generate().publicKey)
            bob = Recipient(name: "bob", publicKey: try Identity.generate().publicKey)
            carol = Recipient(name: "carol", publicKey: try Identity.generate().publicKey)
        }

        func file(_ key: String, _ recipients: [Recipient]) -> SealedRecipients.File {
            SealedRecipients.File(key: key, path: "ws/secrets/\(key).sealed", recipients: recipients.map(\.publicKey.description).sorted())
        }
    }

    @Test("files sealed to exactly the listed recipients, and files without a value, are not stale")
    func upToDate() throws {
        let people = try People()
        let stale = StaleRecipients(SealedRecipients(listed: [people.alice, people.bob], files: [
            people.file("A", [people.bob, people.alice]), people.file("DECLARED", []),
        ]))
        #expect(stale.isEmpty)
        #expect(stale.warning == nil)
        #expect(stale.canRekey == ["alice", "bob"])
    }

    @Test("a file from a branch started before bob left and carol joined: one line naming it, what differs and who can rekey")
    func oneStaleFile() throws {
        let people = try People()
        let stale = StaleRecipients(SealedRecipients(listed: [people.alice, people.carol], files: [
            people.file("NEW", [people.alice, people.bob]), people.file("OLD", [people.alice, people.carol]),
        ]))
        let bob = SealedRecipients.shortKey(people.bob.publicKey.description)
        let file = try #require(stale.files.count == 1 ? stale.files.first : nil)
        #expect((file.key, file.path, file.missing, file.unlisted, file.openers) == ("NEW", "ws/secrets/NEW.sealed", ["carol"], [bob], ["alice"]))
        #expect(stale.canRekey == ["alice"])
        #expect(stale.warning == "ws/secrets/NEW.sealed is sealed to other recipients than workspace.yaml lists (not sealed to carol; sealed to a key it does not list: \(bob)): alice can run 'loopseal rekey'")
        #expect(stale.warning?.contains("\n") == false)
        #expect(stale.problem(for: stale.files[0]) == "ws/secrets/NEW.sealed: sealed to other recipients than workspace.yaml lists (not sealed to carol; sealed to a key it does not list: \(bob)): alice can run 'loopseal rekey'")
    }

    @Test("several stale files: one line; who can rekey opens every one, in workspace.yaml's order")
    func severalStaleFiles() throws {
        let people = try People()
        let listed = [people.carol, people.bob, people.alice]
        let stale = StaleRecipients(SealedRecipients(listed: listed, files: [
            people.file("A", [people.alice, people.carol]), people.file("B", [people.alice, people.bob, people.carol]),
            people.file("C", [people.alice, people.carol]),
        ]))
        #expect(stale.files.map(\.key) == ["A", "C"])
        #expect(stale.canRekey == ["carol", "alice"])
        #expect(stale.warning == "2 files (ws/secrets/A.sealed, ws/secrets/C.sealed) are sealed to other recipients than workspace.yaml lists (not sealed to bob): carol or alice can run 'loopseal rekey'")
    }

    @Test("a long list names the first files and counts the rest")
    func manyStaleFiles() throws {
        let people = try People()
        let files = (0..<13).map { people.file("K\($0)", [people.alice]) }
        let stale = StaleRecipients(SealedRecipients(listed: [people.alice, people.bob], files: files))
        let warning = try #require(stale.warning)
        #expect(warning.hasPrefix("13 files (ws/secrets/K0.sealed, "))
        #expect(warning.contains("ws/secrets/K9.sealed and 3 more) are sealed to other recipients"))
        #expect(!warning.contains("K10.sealed"))
        #expect(warning.hasSuffix("(not sealed to bob): alice can run 'loopseal rekey'"))
    }

    @Test("when nobody listed opens a file, or no one opens them all, the line says what to do instead")
    func nobodyCanRekey() throws {
        let people = try People()
        let onlyBob = StaleRecipients(SealedRecipients(listed: [people.alice], files: [people.file("A", [people.bob])]))
        #expect(onlyBob.canRekey.isEmpty)
        #expect(onlyBob.warning?.hasSuffix("(not sealed to alice; sealed to a key it does not list: \(SealedRecipients.shortKey(people.bob.publicKey.description))): no recipient workspace.yaml lists can open it: set its value again with 'loopseal set'") == true)
        let split = StaleRecipients(SealedRecipients(listed: [people.alice, people.carol], files: [
            people.file("A", [people.alice]), people.file("B", [people.carol]),
        ]))
        #expect(split.canRekey.isEmpty)
        #expect(split.warning?.hasSuffix(": no one recipient workspace.yaml lists can open them all: run 'loopseal rekey' with identities that open each of them") == true)
    }

    @Test("the store's reads report who each file is sealed to; a read that fails says it was sealed before you were added")
    func readsCarryTheSealing() throws {
        let scratch = try KitScratch()
        let alice = try Identity.generate(), bob = try Identity.generate(), carol = try Identity.generate()
        let workspace = try Workspace.create(root: scratch.path, id: "kit", recipients: [
            Recipient(name: "alice", publicKey: alice.publicKey), Recipient(name: "bob", publicKey: bob.publicKey),
        ])
        let service = SecretService(workspace: workspace)
        _ = try service.upsert(key: "NEW", value: try SecureBytes(copying: Array("kit-canary-stale".utf8)))
        // A change made without re-sealing: the file still has bob and not carol.
        _ = try RecipientChanges.remove(name: "bob", from: service, identities: [], rekey: false)
        _ = try RecipientChanges.add(Recipient(name: "carol", publicKey: carol.publicKey), to: service, identities: [], rekey: false)

        let read = try service.revealSealed(key: "NEW", identities: [alice])
        #expect(read.value.withUnsafeBytes { Array($0) } == Array("kit-canary-stale".utf8))
        let warning = try #require(StaleRecipients(read.sealing).warning)
        #expect(warning.hasPrefix("\(try workspace.secretPath(for: "NEW")) is sealed to other recipients than workspace.yaml lists (not sealed to carol; "))
        #expect(warning.hasSuffix("alice can run 'loopseal rekey'"))
        #expect(StaleRecipients(try service.revealAll(identities: [alice]).sealing) == StaleRecipients(read.sealing))

        let error = #expect(throws: StoreError.self) { try service.revealSealed(key: "NEW", identities: [carol]) }
        let message = "\(try #require(error))"
        #expect(message.hasPrefix("\(try workspace.secretPath(for: "NEW")) is not sealed to you (your identities: \(SealedRecipients.shortKey(carol.publicKey.description)), listed in workspace.yaml as carol): it was sealed before carol was added; it is sealed to alice, \(SealedRecipients.shortKey(bob.publicKey.description)): ask alice to run 'loopseal rekey'"))
        let stranger = #expect(throws: StoreError.self) { try service.revealSealed(key: "NEW", identities: [try Identity.generate()]) }
        #expect("\(try #require(stranger))".contains(": ask one of them to add you to workspace.yaml ('loopseal recipients add NAME <your age1… key>')"))
        #expect(!message.contains("kit-canary"))
    }

    @Test("verify without identities: parsing, conflicts, duplicate ids, signatures and recipients, no value opened")
    func verificationWithoutIdentities() throws {
        let scratch = try KitScratch()
        let alice = try Identity.generate(), bob = try Identity.generate()
        let signing = try SigningKey.generate()
        let workspace = try Workspace.create(root: scratch.path, id: "kit", recipients: [Recipient(name: "alice", publicKey: alice.publicKey)])
        let service = SecretService(workspace: workspace, signingKeys: SigningKeyLoader(environment: ["LOOPSEAL_SIGNING_KEY": signing.encodedSecretKey()]))
        _ = try service.upsert(key: "UNSIGNED", value: try SecureBytes(copying: Array("kit-canary-u".utf8)))
        _ = try WriterChanges.add(try WriterChanges.newWriter(name: "ci", publicKey: signing.publicKey.description), to: workspace)
        _ = try service.upsert(key: "GOOD", value: try SecureBytes(copying: Array("kit-canary-g".utf8)))
        let stale = try SecretSealer(workspaceID: "kit").seal(id: UUID().uuidString.lowercased(), key: "STALE",
                                                            value: try SecureBytes(copying: Array("kit-canary-s".utf8)), to: [alice.publicKey, bob.publicKey])
        try FileIO.writeAtomically(SealedSecretCodec.encode(stale), to: try workspace.secretPath(for: "STALE"))
        let good = try FileIO.contents(try workspace.secretPath(for: "GOOD"))
        try FileIO.writeAtomically(Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "key: GOOD", with: "key: COPY").utf8),
                                   to: try workspace.secretPath(for: "COPY"))
        try FileIO.writeAtomically(Array("loopseal: 1\n<<<<<<< HEAD\nid: a\n=======\nid: b\n>>>>>>> theirs\nkey: CONFLICT\n".utf8),
                                   to: try workspace.secretPath(for: "CONFLICT"))

        let report = try WorkspaceVerification.run(service, identities: nil)
        #expect(report.opened == nil)
        let problems = report.problems.joined(separator: "\n")
        #expect(problems.contains("merge conflict in \(try workspace.secretPath(for: "CONFLICT"))"))
        #expect(problems.contains("share the id"))
        #expect(problems.contains("\(try workspace.secretPath(for: "UNSIGNED")): refused: not signed"))
        #expect(problems.contains("\(try workspace.secretPath(for: "STALE")): sealed to other recipients than workspace.yaml lists (sealed to a key it does not list: \(SealedRecipients.shortKey(bob.publicKey.description))): alice can run 'loopseal rekey'"))
        #expect(!problems.contains("kit-canary"))
    }
}
