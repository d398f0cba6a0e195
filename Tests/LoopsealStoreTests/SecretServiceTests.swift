import Foundation
import LoopsealCrypto
import Testing
@testable import LoopsealStore

@Suite struct SecretServiceTests {
    @Test func crudMirrorsTheOriginalModule() throws {
        let ws = try TempWorkspace()
        let service = ws.service
        let created = try service.create(key: "B_KEY", value: try secure("b"))
        try service.create(key: "A_KEY", value: try secure("a"))
        #expect(throws: StoreError.secretExists(key: "A_KEY", workspace: "test")) {
            try service.create(key: "A_KEY", value: try secure("again"))
        }
        #expect(try service.keys().map(\.key) == ["A_KEY", "B_KEY"])
        #expect(try service.findAllByWorkspace().map(\.key) == ["A_KEY", "B_KEY"])

        let updated = try service.update(id: created.id, value: try secure("b2"))
        #expect(updated.id == created.id)
        #expect(plain(try service.reveal(key: "B_KEY", identities: [ws.alice])) == "b2")

        let upserted = try service.upsert(key: "B_KEY", value: try secure("b3"))
        #expect(upserted.id == created.id)
        #expect(plain(try service.reveal(key: "B_KEY", identities: [ws.alice])) == "b3")

        try service.delete(id: created.id)
        #expect(try service.keys().map(\.key) == ["A_KEY"])
        #expect(throws: StoreError.self) { try service.delete(id: created.id) }
        #expect(throws: StoreError.self) { try service.update(id: created.id, value: try secure("x")) }
        #expect(throws: StoreError.secretNotFound(key: "B_KEY", workspace: "test")) {
            try service.reveal(key: "B_KEY", identities: [ws.alice])
        }
    }

    @Test func declareCreatesValuelessSecretsAndKeepsExistingOnes() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "KEPT", value: try secure("value"))
        let before = try ws.text("KEPT")
        try ws.service.declare(key: "KEPT")
        let requested = try ws.service.declare(key: "REQUESTED")
        #expect(try ws.text("KEPT") == before)
        #expect(requested.hasValue == false)
        #expect(try ws.service.keys().map { "\($0.key)=\($0.hasValue)" } == ["KEPT=true", "REQUESTED=false"])
        #expect(throws: StoreError.self) { try ws.service.reveal(key: "REQUESTED", identities: [ws.alice]) }
        let all = try ws.service.revealAll(identities: [ws.alice])
        #expect(all.values.map(\.key) == ["KEPT"])
        #expect(all.missing == ["REQUESTED"])
    }

    @Test func everyWriteDrawsAFreshDataKeyAndNonce() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "K", value: try secure("same"))
        let first = try #require(try ws.service.find(key: "K"))
        try ws.service.upsert(key: "K", value: try secure("same"))
        let second = try #require(try ws.service.find(key: "K"))
        #expect(first.id == second.id)
        #expect(first.value != second.value)
        #expect(first.value?.prefix(24) != second.value?.prefix(24))
        #expect(first.recipients != second.recipients)
    }

    @Test func readingNeedsAMatchingIdentityAndNamesTheRecipients() throws {
        let ws = try TempWorkspace(recipients: 2)
        try ws.service.upsert(key: "K", value: try secure("v"))
        #expect(plain(try ws.service.reveal(key: "K", identities: [ws.bob])) == "v")
        let stranger = try Identity.generate()
        let error = #expect(throws: StoreError.self) { try ws.service.reveal(key: "K", identities: [stranger]) }
        guard case .notARecipient(let file, let recipients, _, let listedAs, let canRekey)? = error else {
            Issue.record("expected notARecipient, got \(String(describing: error))"); return
        }
        #expect(file.hasSuffix("secrets/K.sealed"))
        #expect(recipients.sorted() == ["alice", "bob"])
        #expect(listedAs.isEmpty && canRekey.sorted() == ["alice", "bob"])
        #expect(error?.description.hasPrefix("\(file) is not sealed to you (your identities: ") == true)
    }

    @Test func flippingAnyByteOfTheValueOrDataKeyFailsNamingTheFile() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "K", value: try secure("tamper me"))
        let original = try #require(try ws.service.find(key: "K"))
        let path = try ws.path("K")
        let value = try #require(original.value)
        let recipient = try #require(original.recipients.keys.first)
        let sealedKey = try #require(original.recipients[recipient])
        var attempts = 0
        for index in value.indices {
            var tampered = original
            tampered.value?[index] ^= 0x01
            try FileIO.writeAtomically(SealedSecretCodec.encode(tampered), to: path)
            let error = #expect(throws: StoreError.self) { try ws.service.reveal(key: "K", identities: [ws.alice]) }
            #expect(error?.description.contains(path) == true)
            attempts += 1
        }
        for index in sealedKey.indices {
            var tampered = original
            tampered.recipients[recipient]?[index] ^= 0x01
            try FileIO.writeAtomically(SealedSecretCodec.encode(tampered), to: path)
            let error = #expect(throws: StoreError.self) { try ws.service.revealAll(identities: [ws.alice]) }
            #expect(error?.description.contains(path) == true)
            attempts += 1
        }
        #expect(attempts == value.count + sealedKey.count)
    }

    @Test func ciphertextMovedToAnotherKeyOrWorkspaceFailsToOpen() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "A", value: try secure("value of A"))
        try ws.service.upsert(key: "B", value: try secure("value of B"))
        var moved = try #require(try ws.service.find(key: "A"))
        moved.key = "B"
        moved.id = try #require(try ws.service.find(key: "B")).id
        try FileIO.writeAtomically(SealedSecretCodec.encode(moved), to: try ws.path("B"))
        let error = #expect(throws: StoreError.self) { try ws.service.reveal(key: "B", identities: [ws.alice]) }
        #expect(error?.description.contains("another key or workspace") == true)

        let other = try Workspace.create(root: ws.root, id: "other", recipients: [Recipient(name: "alice", publicKey: ws.alice.publicKey)])
        try FileManager.default.copyItem(atPath: try ws.path("A"), toPath: try other.secretPath(for: "A"))
        #expect(throws: StoreError.self) { try SecretService(workspace: other).reveal(key: "A", identities: [ws.alice]) }
        #expect(plain(try ws.service.reveal(key: "A", identities: [ws.alice])) == "value of A")
    }

    @Test func aFileRenamedToAnotherKeyIsRefused() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "A", value: try secure("a"))
        try FileManager.default.moveItem(atPath: try ws.path("A"), toPath: try ws.path("C"))
        let listed = try ws.service.keys()
        #expect(listed.map(\.key) == ["C"])
        #expect(listed[0].problem?.contains("holds key 'A' but is named for 'C'") == true)
        #expect(throws: StoreError.self) { try ws.service.findAllByWorkspace() }
    }

    @Test func rekeyAddsAndRemovesRecipientsWithoutChurn() throws {
        let ws = try TempWorkspace()
        for i in 0..<5 { try ws.service.upsert(key: "K\(i)", value: try secure("v\(i)")) }
        try ws.service.declare(key: "EMPTY")
        let before = try (0..<5).map { try ws.text("K\($0)") }
        #expect(try ws.service.rekey(identities: [ws.alice]) == (0, 6))
        #expect(try (0..<5).map { try ws.text("K\($0)") } == before)
        #expect(try ws.service.staleKeys().isEmpty)

        var config = try ws.workspace.loadConfig()
        config.recipients.append(Recipient(name: "bob", publicKey: ws.bob.publicKey))
        try ws.workspace.saveConfig(config)
        #expect(try ws.service.staleKeys().count == 5)
        var ticks: [Int] = []
        let result = try ws.service.rekey(identities: [ws.alice]) { done, _ in ticks.append(done) }
        #expect(result == (5, 1))
        #expect(ticks == Array(1...5))
        for i in 0..<5 {
            #expect(plain(try ws.service.reveal(key: "K\(i)", identities: [ws.bob])) == "v\(i)")
            let rekeyed = try #require(try ws.service.find(key: "K\(i)"))
            let old = try SealedSecretCodec.decode(Array(before[i].utf8), file: "old")
            #expect(rekeyed.value == old.value)
            #expect(rekeyed.recipients[ws.alice.publicKey.description] == old.recipients[ws.alice.publicKey.description])
        }

        config.recipients.removeAll { $0.name == "alice" }
        try ws.workspace.saveConfig(config)
        #expect(try ws.service.rekey(identities: [ws.bob]) == (5, 1))
        #expect(throws: StoreError.self) { try ws.service.reveal(key: "K0", identities: [ws.alice]) }
        #expect(plain(try ws.service.reveal(key: "K0", identities: [ws.bob])) == "v0")
    }

    @Test func namesThatBecomePathsAreValidated() throws {
        let ws = try TempWorkspace()
        for key in ["../x", "a b", "", "1ABC", "A-B", "A/B", String(repeating: "A", count: 201), "ÄB"] {
            #expect(throws: StoreError.invalidKey(key)) { try ws.service.upsert(key: key, value: try secure("v")) }
        }
        for id in ["../x", "Upper", "-lead", "", String(repeating: "a", count: 64), "a/b", "a.b"] {
            #expect(throws: StoreError.invalidWorkspaceID(id)) { try Workspace(root: ws.root, id: id) }
        }
        #expect(Names.isValidKey("_A1") && Names.isValidKey(String(repeating: "A", count: 200)))
        #expect(Names.isValidWorkspaceID("acme-prod_2") && Names.isValidWorkspaceID(String(repeating: "a", count: 63)))
    }

    @Test func fixturesOpenOrFailAsTheirNamesSay() throws {
        let alice = try Fixture.identity("alice"), bob = try Fixture.identity("bob")
        let sealer = SecretSealer(workspaceID: "fixtures")
        let good = try SealedSecretCodec.decode(try Fixture.bytes("good_two_recipients.sealed"), file: "good")
        #expect(plain(try sealer.open(good, identities: [alice], file: "good")) == "fixture value: \"quoted\" $HOME\n")
        #expect(plain(try sealer.open(good, identities: [bob], file: "good")) == "fixture value: \"quoted\" $HOME\n")
        let reformatted = try SealedSecretCodec.decode(try Fixture.bytes("good_reformatted.sealed"), file: "r")
        #expect(plain(try sealer.open(reformatted, identities: [alice], file: "r")) == "fixture value: \"quoted\" $HOME\n")

        let tamperedValue = try SealedSecretCodec.decode(try Fixture.bytes("fail_tampered_value.sealed"), file: "fail_tampered_value.sealed")
        #expect(throws: StoreError.self) { try sealer.open(tamperedValue, identities: [alice], file: "fail_tampered_value.sealed") }
        let tamperedKey = try SealedSecretCodec.decode(try Fixture.bytes("fail_tampered_data_key.sealed"), file: "k")
        let failures = [alice, bob].filter { (try? sealer.open(tamperedKey, identities: [$0], file: "k")) == nil }
        #expect(failures.count == 1)
        #expect(throws: StoreError.self) { try SecretSealer(workspaceID: "other").open(good, identities: [alice], file: "good") }
        _ = try WorkspaceConfig.parse(String(decoding: try Fixture.bytes("fixtures_workspace.yaml"), as: UTF8.self),
                                      file: "fixtures_workspace.yaml", expectedID: "fixtures")
    }

    @Test func identityLookupFollowsTheDocumentedOrder() throws {
        let ws = try TempWorkspace()
        let home = ws.root + "/home"
        try FileIO.makeDirectory(home + "/.config/loopseal/identities")
        let one = try Identity.generate(), two = try Identity.generate(), three = try Identity.generate(), four = try Identity.generate()
        try FileIO.writeAtomically(Array("# comment\n\n\(one.encodedSecretKey())\n".utf8), to: ws.root + "/flag.txt", mode: 0o600)
        try FileIO.writeAtomically(Array(three.encodedSecretKey().utf8), to: ws.root + "/env-file.txt", mode: 0o600)
        try FileIO.writeAtomically(Array(four.encodedSecretKey().utf8), to: home + "/.config/loopseal/identities/me", mode: 0o600)
        let loader = IdentityLoader(files: [ws.root + "/flag.txt"], environment: [
            "LOOPSEAL_IDENTITY": two.encodedSecretKey(), "LOOPSEAL_IDENTITY_FILE": ws.root + "/env-file.txt", "HOME": home,
        ])
        #expect(try loader.load().map(\.publicKey) == [one, two, three, four].map(\.publicKey))
        let empty = IdentityLoader(files: [], environment: ["HOME": ws.root + "/nowhere"])
        let error = #expect(throws: StoreError.self) { try empty.load() }
        #expect(error?.description.contains("no identity found") == true)
    }

    @Test func brokenIdentityFilesNameTheLineButNeverEchoIt() throws {
        let secret = try Identity.generate().encodedSecretKey()
        let garbled = String(secret.dropLast()) + (secret.last == "Q" ? "P" : "Q")
        let error = #expect(throws: StoreError.self) { try IdentityLoader.parse("# header\n\(garbled)\n", source: "id.txt") }
        #expect(error?.description.hasPrefix("id.txt:2:") == true)
        #expect(error?.description.contains(garbled) == false)
        #expect(error?.description.contains(String(garbled.dropFirst(16).prefix(20))) == false)
    }
}
