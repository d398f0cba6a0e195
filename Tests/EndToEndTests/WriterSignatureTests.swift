import Foundation
import Testing

/// Writer signatures through the real binary: keygen --signing, writers add, signed set, and
/// every kind of badly signed file refused by get, export and verify, each naming the file.
@Suite("writer signatures")
struct WriterSignatureTests {
    /// A signing key made with `loopseal keygen --signing -o keys/<name>.sign`.
    static func signingKey(_ box: Sandbox, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> (path: String, publicKey: String) {
        let path = "\(box.root)/keys/\(name).sign"
        let result = try box.ok(["keygen", "--signing", "-o", path], sourceLocation: sourceLocation)
        return (path, result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Removes the `signature:` block of a sealed file.
    static func stripSignature(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let kept = text.split(separator: "\n").filter { !$0.hasPrefix("signature:") && !$0.hasPrefix("  writer:") && !$0.hasPrefix("  ed25519:") }
        try writeBytes(Array((kept.joined(separator: "\n") + "\n").utf8), to: path)
    }

    /// The `signature:` block (three lines) of a sealed file.
    static func signatureBlock(_ path: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return String(text[try #require(text.range(of: "signature:\n")).lowerBound...])
    }

    @Test("keygen --signing, writers add, set, get; unsigned, unlisted, changed and moved files refused")
    func signedWorkspace() throws {
        let box = try Sandbox("signatures")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("ws", [alice])
        let id = ["--identity", alice.path]

        // keygen --signing: 0600 file in the identity's shape, public key printed.
        let ci = try Self.signingKey(box, "ci")
        #expect(ci.publicKey.hasPrefix("loopsealsign1") && ci.publicKey.count == 71, "\(ci.publicKey)")
        let keyText = try String(contentsOfFile: ci.path, encoding: .utf8)
        #expect(keyText.contains("# public key: \(ci.publicKey)\n"))
        #expect(keyText.split(separator: "\n").last?.hasPrefix("LOOPSEAL-SIGNING-KEY-1") == true)
        let attributes = try FileManager.default.attributesOfItem(atPath: ci.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        // Before writers: an unsigned write, and nothing about signatures in the file.
        try box.set("OLD", "written before signatures")
        #expect(try !String(contentsOfFile: box.sealedPath("ws", "OLD"), encoding: .utf8).contains("signature"))

        // writers add: workspace.yaml lists it; the old file is now refused until signed.
        let added = try box.ok(["writers", "add", "ci", ci.publicKey])
        #expect(added.stderr.contains("1 file is not signed by a listed writer"), "\(added)")
        #expect(added.stdoutText == "OLD\n")
        let yaml = try String(contentsOfFile: "\(box.workspaceDir("ws"))/workspace.yaml", encoding: .utf8)
        #expect(yaml.contains("writers:\n  ci: \(ci.publicKey)\n"))
        #expect(try box.ok(["writers", "list"]).stdoutText == "ci  \(ci.publicKey)\n")
        TamperTests.expectFailure(try box.run(["get", "OLD"] + id), naming: box.sealedPath("ws", "OLD"), secret: "written before")
        let signedOld = try box.ok(["writers", "sign", "--signing-key", ci.path])
        #expect(signedOld.stdoutText == "OLD\n")
        #expect(try box.ok(["get", "OLD"] + id).stdoutText == "written before signatures")

        // A write without a signing key fails and says how to provide one; nothing is written.
        let unkeyed = try box.run(["set", "A"], stdin: "value a")
        #expect(unkeyed.status == 1)
        #expect(unkeyed.stderr.contains("requires signed writes (writers: ci)") && unkeyed.stderr.contains("--signing-key FILE"), "\(unkeyed)")
        #expect(!FileManager.default.fileExists(atPath: box.sealedPath("ws", "A")))

        // Signed writes: --signing-key, $LOOPSEAL_SIGNING_KEY_FILE, $LOOPSEAL_SIGNING_KEY, the default file.
        try box.set("A", "value a", extra: ["--signing-key", ci.path])
        try box.ok(["set", "B"], stdin: Array("value b".utf8), env: ["LOOPSEAL_SIGNING_KEY_FILE": ci.path])
        let inline = try #require(keyText.split(separator: "\n").last.map(String.init))
        try box.ok(["set", "C"], stdin: Array("value c".utf8), env: ["LOOPSEAL_SIGNING_KEY": inline])
        try FileManager.default.createDirectory(atPath: "\(box.root)/loopseal", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ci.path, toPath: "\(box.root)/loopseal/signing.key")
        try box.set("D", "value d")
        try box.set("E", "value e")
        for key in ["A", "B", "C", "D", "E"] {
            #expect(try String(contentsOfFile: box.sealedPath("ws", key), encoding: .utf8).contains("signature:\n  writer: \(ci.publicKey)\n  ed25519: "))
        }
        #expect(try box.ok(["get", "A"] + id).stdoutText == "value a")
        #expect(try box.exportJSON(id)["E"] == "value e")
        #expect(try box.ok(["verify"] + id).stdoutText.contains("signed by listed writers; all 6 values open"))

        // A key that is not a writer cannot write, and the error names the writers.
        let mallory = try Self.signingKey(box, "mallory")
        let refusedWrite = try box.run(["set", "A", "--signing-key", mallory.path], stdin: "x")
        #expect(refusedWrite.status == 1 && refusedWrite.stderr.contains("is not a writer of workspace 'ws' (writers: ci)"), "\(refusedWrite)")

        // 1. Unsigned.
        try Self.stripSignature(box.sealedPath("ws", "A"))
        // 2. Signed by a key that is no longer listed.
        try box.ok(["writers", "add", "mallory", mallory.publicKey])
        try box.set("B", "value b2", extra: ["--signing-key", mallory.path])
        try box.ok(["writers", "rm", "mallory"])
        // 3. A signature over different bytes: C's signature kept on a file whose value changed.
        let cSignature = try Self.signatureBlock(box.sealedPath("ws", "C"))
        try box.set("C", "value c2", extra: ["--signing-key", ci.path])
        var cText = try String(contentsOfFile: box.sealedPath("ws", "C"), encoding: .utf8)
        cText = String(cText[..<cText.range(of: "signature:\n")!.lowerBound]) + cSignature
        try writeBytes(Array(cText.utf8), to: box.sealedPath("ws", "C"))
        // 4. A valid signature moved to another file: E's on D.
        var dText = try String(contentsOfFile: box.sealedPath("ws", "D"), encoding: .utf8)
        dText = String(dText[..<dText.range(of: "signature:\n")!.lowerBound]) + (try Self.signatureBlock(box.sealedPath("ws", "E")))
        try writeBytes(Array(dText.utf8), to: box.sealedPath("ws", "D"))

        let reasons = [
            "A": "not signed, but workspace.yaml lists writers",
            "B": "signed by \(mallory.publicKey), which is not a writer in workspace.yaml (writers: ci)",
            "C": "the signature by ci does not match the file's content",
            "D": "the signature by ci does not match the file's content",
        ]
        for (key, reason) in reasons.sorted(by: { $0.key < $1.key }) {
            let result = try box.run(["get", key] + id)
            TamperTests.expectFailure(result, naming: box.sealedPath("ws", key), secret: "value \(key.lowercased())")
            #expect(result.stderr.contains("refused: \(reason)"), "\(key): \(result)")
        }
        let export = try box.run(["export"] + id)
        #expect(export.status == 1 && export.stdout.isEmpty, "\(export)")
        // verify reports every bad file, with or without an identity.
        for extra in [id, []] {
            let verify = try box.run(["verify"] + extra)
            #expect(verify.status == 1, "\(verify)")
            for (key, reason) in reasons {
                #expect(verify.stderr.contains("\(box.sealedPath("ws", key)): refused: \(reason)"), "\(key): \(verify)")
            }
            #expect(verify.stderr.contains("4 problems"), "\(verify)")
        }
        // keys still lists every name; the good ones still open.
        #expect(try box.keysJSON().count == 6)
        #expect(try box.ok(["get", "E"] + id).stdoutText == "value e")

        // A writer re-sets or signs the refused files, and everything verifies again.
        try box.set("A", "value a")
        #expect(try box.ok(["writers", "sign"]).stdoutText == "B\nC\nD\n")
        #expect(try box.ok(["verify"] + id).status == 0)
        #expect(try box.ok(["get", "D"] + id).stdoutText == "value d")

        // rekey re-signs with the rekeyer's key.
        let bob = try box.keygen("bob")
        try box.ok(["recipients", "add", "bob", bob.publicKey] + id)
        #expect(try box.ok(["get", "A", "--identity", bob.path]).stdoutText == "value a")
        #expect(try box.ok(["verify", "--identity", bob.path]).status == 0)
    }
}
