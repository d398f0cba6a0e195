import Foundation
import LoopsealCrypto
import Testing
@testable import LoopsealStore

/// A temporary workspace whose `workspace.yaml` lists writer `ci`; `service` signs with ci's key.
final class SignedWorkspace {
    let base: TempWorkspace
    let ci: SigningKey
    let mallory: SigningKey

    init(recipients: Int = 2) throws {
        base = try TempWorkspace(recipients: recipients)
        ci = try SigningKey.generate()
        mallory = try SigningKey.generate()
        var config = try base.workspace.loadConfig()
        config.writers = [Writer(name: "ci", publicKey: ci.publicKey)]
        try base.workspace.saveConfig(config)
    }

    var workspace: Workspace { base.workspace }
    var identities: [Identity] { [base.alice] }

    /// A service that signs with `key` (default ci's) and sees no other key source.
    func service(signingWith key: SigningKey? = nil) -> SecretService {
        let environment = ["LOOPSEAL_SIGNING_KEY": (key ?? ci).encodedSecretKey()]
        return SecretService(workspace: workspace, signingKeys: SigningKeyLoader(environment: environment))
    }

    func path(_ key: String) throws -> String { try base.path(key) }
    func read(_ key: String) throws -> SealedSecret { try SealedSecretCodec.decode(try FileIO.contents(try path(key)), file: key) }
    func write(_ secret: SealedSecret, as key: String) throws {
        try FileIO.writeAtomically(SealedSecretCodec.encode(secret), to: try path(key))
    }

    /// The error `reveal` and `revealAll` both refuse `key` with (they must agree).
    func refusal(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) -> StoreError? {
        let single = #expect(throws: StoreError.self, sourceLocation: sourceLocation) {
            try self.service().reveal(key: key, identities: self.identities)
        }
        let all = #expect(throws: StoreError.self, sourceLocation: sourceLocation) {
            try self.service().revealAll(identities: self.identities)
        }
        #expect(single == all, sourceLocation: sourceLocation)
        return single
    }
}

@Suite struct WriterSignatureTests {
    @Test func withoutWritersFilesStayUnsignedFormatOne() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "A", value: try secure("a"))
        try ws.service.declare(key: "B")
        #expect(try !ws.text("A").contains("signature"))
        #expect(try !ws.text("B").contains("signature"))
        #expect(try plain(ws.service.reveal(key: "A", identities: [ws.alice])) == "a")
        #expect(try ws.service.signatureProblems().isEmpty)
    }

    @Test func everyWriteIsSignedLastAndReadsVerify() throws {
        let ws = try SignedWorkspace()
        let service = ws.service()
        try service.upsert(key: "DATABASE_URL", value: try secure("postgres://x"))
        try service.declare(key: "REQUESTED")
        let lines = try ws.base.text("DATABASE_URL").split(separator: "\n").map(String.init)
        #expect(lines.suffix(3).map { String($0.prefix(10)) } == ["signature:", "  writer: ", "  ed25519:"])
        #expect(lines[lines.count - 2] == "  writer: \(ws.ci.publicKey)")
        #expect(try ws.base.text("REQUESTED").contains("signature:\n  writer: "))
        #expect(try plain(service.reveal(key: "DATABASE_URL", identities: ws.identities)) == "postgres://x")
        let all = try service.revealAll(identities: ws.identities)
        #expect(all.values.map(\.key) == ["DATABASE_URL"])
        #expect(all.missing == ["REQUESTED"])
        #expect(try service.signatureProblems().isEmpty)
        // Reading does not need a signing key.
        let reader = SecretService(workspace: ws.workspace, signingKeys: SigningKeyLoader(environment: [:]))
        #expect(try plain(reader.reveal(key: "DATABASE_URL", identities: ws.identities)) == "postgres://x")
    }

    @Test func anUnsignedFileIsRefused() throws {
        let ws = try SignedWorkspace()
        try ws.service().upsert(key: "A", value: try secure("a"))
        var secret = try ws.read("A")
        secret.signature = nil
        try ws.write(secret, as: "A")
        #expect(ws.refusal("A") == .unsigned(file: try ws.path("A")))
    }

    @Test func aFileSignedByAnUnlistedKeyIsRefused() throws {
        let ws = try SignedWorkspace()
        try ws.service().upsert(key: "A", value: try secure("a"))
        let forged = WriterSignatures(workspaceID: ws.workspace.id, writers: []).sign(try ws.read("A"), with: ws.mallory)
        try ws.write(forged, as: "A")
        let error = ws.refusal("A")
        #expect(error == .signedByNonWriter(file: try ws.path("A"), writer: ws.mallory.publicKey.description, writers: ["ci"]))
        #expect(error?.description.contains("not a writer in workspace.yaml (writers: ci)") == true)
    }

    @Test func aSignatureOverDifferentBytesIsRefused() throws {
        let ws = try SignedWorkspace()
        let service = ws.service()
        try service.upsert(key: "A", value: try secure("a"))
        let signed = try ws.read("A")
        try service.upsert(key: "A", value: try secure("b"))
        var replaced = try ws.read("A")
        replaced.signature = signed.signature
        try ws.write(replaced, as: "A")
        #expect(ws.refusal("A") == .badSignature(file: try ws.path("A"), writer: "ci"))
        // Any single changed byte of the value, or of the id, breaks it as well.
        var flipped = signed
        flipped.value?[30] ^= 1
        try ws.write(flipped, as: "A")
        #expect(ws.refusal("A") == .badSignature(file: try ws.path("A"), writer: "ci"))
        var renamed = signed
        renamed.id = UUID().uuidString.lowercased()
        try ws.write(renamed, as: "A")
        #expect(ws.refusal("A") == .badSignature(file: try ws.path("A"), writer: "ci"))
    }

    @Test func aValidSignatureMovedToAnotherFileIsRefused() throws {
        let ws = try SignedWorkspace()
        let service = ws.service()
        try service.upsert(key: "A", value: try secure("a"))
        try service.upsert(key: "B", value: try secure("b"))
        var b = try ws.read("B")
        b.signature = try ws.read("A").signature
        try ws.write(b, as: "B")
        #expect(ws.refusal("B") == .badSignature(file: try ws.path("B"), writer: "ci"))
    }

    @Test func aTamperedRecipientsMapIsRefused() throws {
        let ws = try SignedWorkspace()
        try ws.service().upsert(key: "A", value: try secure("a"))
        let signed = try ws.read("A")
        var dropped = signed
        dropped.recipients[ws.base.bob.publicKey.description] = nil
        try ws.write(dropped, as: "A")
        #expect(ws.refusal("A") == .badSignature(file: try ws.path("A"), writer: "ci"))
        var swapped = signed
        swapped.recipients[ws.base.bob.publicKey.description] = SealedBox.seal(try SecureBytes.random(count: 32), to: ws.base.bob.publicKey)
        try ws.write(swapped, as: "A")
        #expect(ws.refusal("A") == .badSignature(file: try ws.path("A"), writer: "ci"))
    }

    @Test func declaredFilesAreSignedAndCheckedToo() throws {
        let ws = try SignedWorkspace()
        let service = ws.service()
        try service.declare(key: "ASKED")
        try service.declare(key: "OTHER")
        #expect(try ws.read("ASKED").signature != nil)
        var unsigned = try ws.read("ASKED")
        unsigned.signature = nil
        try ws.write(unsigned, as: "ASKED")
        #expect(throws: StoreError.unsigned(file: try ws.path("ASKED"))) { try service.revealAll(identities: ws.identities) }
        // A declared file's signature does not carry over to another declared file...
        var moved = try ws.read("OTHER")
        moved.signature = WriterSignatures(workspaceID: ws.workspace.id, writers: []).sign(unsigned, with: ws.ci).signature
        try ws.write(moved, as: "OTHER")
        let problems = try service.signatureProblems()
        #expect(problems.map(\.key) == ["ASKED", "OTHER"])
        #expect(problems.last?.problem as? StoreError == .badSignature(file: try ws.path("OTHER"), writer: "ci"))
        // ...nor onto a file that has since been given a value.
        try service.upsert(key: "ASKED", value: try secure("v"))
        var valued = try ws.read("ASKED")
        valued.signature = try ws.read("OTHER").signature
        try ws.write(valued, as: "ASKED")
        #expect(ws.refusal("ASKED") == .badSignature(file: try ws.path("ASKED"), writer: "ci"))
    }

    @Test func aSignedFileCopiedToAnotherWorkspaceWithTheSameWriterIsRefused() throws {
        let ws = try SignedWorkspace()
        try ws.service().upsert(key: "A", value: try secure("a"))
        let copy = try ws.read("A")
        let signatures = WriterSignatures(workspaceID: "elsewhere", writers: [Writer(name: "ci", publicKey: ws.ci.publicKey)])
        #expect(throws: StoreError.badSignature(file: "A", writer: "ci")) { try signatures.verify(copy, file: "A") }
    }

    @Test func writesWithoutAListedSigningKeyFailAndSayWhatToDo() throws {
        let ws = try SignedWorkspace()
        let none = SecretService(workspace: ws.workspace, signingKeys: SigningKeyLoader(environment: [:]))
        let missing = #expect(throws: StoreError.self) { try none.upsert(key: "A", value: try secure("a")) }
        guard case .noSigningKey(let id, let writers, let searched)? = missing else {
            Issue.record("expected noSigningKey, got \(String(describing: missing))"); return
        }
        #expect(id == ws.workspace.id && writers == ["ci"])
        #expect(searched == ["$LOOPSEAL_SIGNING_KEY", "$LOOPSEAL_SIGNING_KEY_FILE"])
        #expect(missing?.description.contains("--signing-key FILE") == true)
        #expect(throws: StoreError.self) { try none.declare(key: "B") }
        let stranger = #expect(throws: StoreError.self) { try ws.service(signingWith: ws.mallory).upsert(key: "A", value: try secure("a")) }
        #expect(stranger == .notAWriter(workspace: ws.workspace.id, source: "$LOOPSEAL_SIGNING_KEY",
                                        publicKey: ws.mallory.publicKey.description, writers: ["ci"]))
        #expect(try ws.base.service.keyNames().isEmpty, "nothing was written")
    }

    @Test func rekeyChecksSignaturesFirstAndSignsWithTheRekeyersKey() throws {
        let ws = try SignedWorkspace(recipients: 1)
        let second = try SigningKey.generate()
        var config = try ws.workspace.loadConfig()
        config.writers.append(Writer(name: "second", publicKey: second.publicKey))
        try ws.workspace.saveConfig(config)
        try ws.service().upsert(key: "A", value: try secure("a"))
        try ws.service().upsert(key: "B", value: try secure("b"))
        config.recipients.append(Recipient(name: "bob", publicKey: ws.base.bob.publicKey))
        try ws.workspace.saveConfig(config)

        var forged = try ws.read("B")
        forged.signature = nil
        try ws.write(forged, as: "B")
        let before = try FileIO.contents(try ws.path("A"))
        let unsigned = StoreError.unsigned(file: try ws.path("B")).description
        #expect(throws: StoreError.changeRefused(action: "rekey", problems: [unsigned])) {
            try ws.service(signingWith: second).rekey(identities: ws.identities)
        }
        #expect(try FileIO.contents(try ws.path("A")) == before, "nothing is rewritten when one file is refused")

        try ws.service().upsert(key: "B", value: try secure("b"))
        let result = try ws.service(signingWith: second).rekey(identities: ws.identities)
        #expect(result.rewritten == 1)
        #expect(try ws.read("A").signature?.writer == second.publicKey)
        #expect(try plain(ws.service().reveal(key: "A", identities: [ws.base.bob])) == "a")
        #expect(try ws.service().signatureProblems().isEmpty)
    }

    @Test func signVouchesForRefusedFilesOnly() throws {
        let ws = try SignedWorkspace()
        let service = ws.service()
        try service.upsert(key: "A", value: try secure("a"))
        try service.upsert(key: "B", value: try secure("b"))
        var unsigned = try ws.read("B")
        unsigned.signature = nil
        try ws.write(unsigned, as: "B")
        let untouched = try FileIO.contents(try ws.path("A"))
        #expect(try service.sign() == ["B"])
        #expect(try FileIO.contents(try ws.path("A")) == untouched)
        #expect(try service.signatureProblems().isEmpty)
        #expect(try service.sign(keys: ["A"]) == ["A"])
        #expect(throws: StoreError.secretNotFound(key: "NOPE", workspace: ws.workspace.id)) { try service.sign(keys: ["NOPE"]) }
        let unsignedWorkspace = try TempWorkspace()
        #expect(throws: StoreError.noWriters(workspace: "test")) { try unsignedWorkspace.service.sign() }
    }

    @Test func signedBytesAreTheDocumentedLines() throws {
        let key = try SigningKey.generate()
        let recipient = try Identity.generate().publicKey.description
        let secret = SealedSecret(id: "6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20", key: "K", value: [1, 2, 3], recipients: [recipient: [4]])
        let text = String(decoding: WriterSignatures.signedBytes(of: secret, workspaceID: "acme", writer: key.publicKey), as: UTF8.self)
        #expect(text == """
            loopseal-signature/1
            workspace: acme
            writer: \(key.publicKey)
            loopseal: 1
            id: 6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20
            key: K
            value: AQID
            recipients:
              \(recipient): BA==

            """)
        let declared = SealedSecret(id: secret.id, key: "K", value: nil, recipients: [:])
        #expect(String(decoding: WriterSignatures.signedBytes(of: declared, workspaceID: "acme", writer: key.publicKey), as: UTF8.self)
                    .hasSuffix("writer: \(key.publicKey)\nloopseal: 1\nid: \(secret.id)\nkey: K\n"))
    }

    @Test func signingKeyLookupFollowsTheDocumentedOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-sign-\(UUID().uuidString)").path
        try FileIO.makeDirectory("\(dir)/loopseal")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keys = try (0..<4).map { _ in try SigningKey.generate() }
        let files = try (0..<4).map { index -> String in
            let path = "\(dir)/key\(index)"
            try FileIO.writeAtomically(Array("# public key: \(keys[index].publicKey)\n\(keys[index].encodedSecretKey())\n".utf8), to: path)
            return path
        }
        try FileIO.writeAtomically(try FileIO.contents(files[3]), to: "\(dir)/loopseal/signing.key")
        let env = ["LOOPSEAL_SIGNING_KEY": keys[1].encodedSecretKey(), "LOOPSEAL_SIGNING_KEY_FILE": files[2], "XDG_CONFIG_HOME": dir]
        #expect(try SigningKeyLoader(file: files[0], environment: env).find()?.key.publicKey == keys[0].publicKey)
        #expect(try SigningKeyLoader(environment: env).find()?.source == "$LOOPSEAL_SIGNING_KEY")
        var rest = env
        rest["LOOPSEAL_SIGNING_KEY"] = nil
        #expect(try SigningKeyLoader(environment: rest).find()?.key.publicKey == keys[2].publicKey)
        rest["LOOPSEAL_SIGNING_KEY_FILE"] = nil
        #expect(try SigningKeyLoader(environment: rest).find()?.source == "\(dir)/loopseal/signing.key")
        #expect(try SigningKeyLoader(environment: ["HOME": "/nonexistent"]).find() == nil)
        #expect(throws: StoreError.invalidSigningKey(source: "/nonexistent/k", line: nil, problem: "no such signing key file")) {
            try SigningKeyLoader(file: "/nonexistent/k", environment: [:]).find()
        }
    }

    @Test func brokenSigningKeyTextNamesTheLineButNeverEchoesIt() throws {
        let key = try SigningKey.generate().encodedSecretKey()
        var typo = Array(key)
        typo[30] = typo[30] == "Q" ? "P" : "Q"
        let cases: [(String, String)] = [
            ("# c\n\(String(typo))\n", "k:2: not a LOOPSEAL-SIGNING-KEY-1… signing key"),
            ("\(key)\n\(key)\n", "k:2: holds a second signing key"),
            ("# only a comment\n", "k: holds no LOOPSEAL-SIGNING-KEY-1… line"),
            (try Identity.generate().encodedSecretKey(), "k:1: not a LOOPSEAL-SIGNING-KEY-1… signing key"),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: StoreError.self) { try SigningKeyLoader.parse(text, source: "k") }
            #expect(error?.description.hasPrefix(expected) == true, "got \(String(describing: error))")
            #expect(error?.description.contains(String(typo)) == false)
        }
    }

    @Test func writersInWorkspaceYAMLParseRoundTripAndAreChecked() throws {
        let a = try SigningKey.generate().publicKey, b = try SigningKey.generate().publicKey
        let recipient = try Identity.generate().publicKey
        let text = "workspace: ws\nrecipients:\n  alice: \(recipient)\nwriters:\n  alice: \(a)\n  ci: \(b)\ntargets: []\n"
        let config = try WorkspaceConfig.parse(text, file: "w.yaml", expectedID: "ws")
        #expect(config.writers == [Writer(name: "alice", publicKey: a), Writer(name: "ci", publicKey: b)])
        #expect(try config.serialized() == text)
        let plainConfig = WorkspaceConfig(workspace: "ws", recipients: config.recipients)
        #expect(try !plainConfig.serialized().contains("writers"))
        var bad = Array(a.description)
        bad[20] = bad[20] == "q" ? "p" : "q"
        let cases: [(String, String)] = [
            ("workspace: ws\nwriters: {}\n", "workspace.yaml:2:10: 'writers' must map names to loopsealsign1… public keys"),
            ("workspace: ws\nwriters:\n", "'writers' must map names"),
            ("workspace: ws\nwriters:\n  ci: \(String(bad))\n", "workspace.yaml:3:7: writer 'ci': has a bad checksum"),
            ("workspace: ws\nwriters:\n  ci: \(recipient)\n", "workspace.yaml:3:7: writer 'ci': signing key 'age1"),
            ("workspace: ws\nwriters:\n  a: \(a)\n  b: \(a)\n", "workspace.yaml:4:6: writer 'b' has the same key as 'a'"),
            ("workspace: ws\nwriters:\n  \"bad name\": \(a)\n", "workspace.yaml:3:3: invalid writer name"),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: StoreError.self) { try WorkspaceConfig.parse(text, file: "workspace.yaml", expectedID: "ws") }
            #expect(error?.description.contains(expected) == true, "got: \(String(describing: error))")
        }
    }
}
