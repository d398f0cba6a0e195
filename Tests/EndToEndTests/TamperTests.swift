import Foundation
import Testing

/// A sealed file as lines, with helpers to read and replace the base64 fields.
struct SealedFileText {
    var lines: [String]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    init(lines text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    var text: String { lines.joined(separator: "\n") }

    func write(to path: String) throws { try writeBytes(Array(text.utf8), to: path) }

    var valueIndex: Int? { lines.firstIndex { $0.hasPrefix("value: ") } }

    /// The decoded `value:` bytes.
    func value() throws -> [UInt8] {
        let index = try #require(valueIndex, "no value line in:\n\(text)")
        return Array(try #require(Data(base64Encoded: String(lines[index].dropFirst("value: ".count)))))
    }

    mutating func setValue(_ bytes: [UInt8]) throws {
        let index = try #require(valueIndex)
        lines[index] = "value: " + Data(bytes).base64EncodedString()
    }

    /// Indexes of the `  age1…: <sealed key>` lines.
    var recipientIndexes: [Int] { lines.indices.filter { lines[$0].hasPrefix("  age1") } }

    func sealedKey(at line: Int) throws -> [UInt8] {
        let parts = lines[line].split(separator: ":", maxSplits: 1)
        return Array(try #require(Data(base64Encoded: parts[1].trimmingCharacters(in: .whitespaces))))
    }

    mutating func setSealedKey(at line: Int, _ bytes: [UInt8]) {
        let name = lines[line].split(separator: ":", maxSplits: 1)[0]
        lines[line] = "\(name): " + Data(bytes).base64EncodedString()
    }
}

/// Tampered, truncated or misplaced ciphertexts never open and the errors name the file.
@Suite("tampering")
struct TamperTests {
    /// One failing read: exit 1, a single stderr line naming `path`, nothing on stdout.
    static func expectFailure(_ result: RunResult, naming path: String, secret: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1 && !result.signaled, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stderrLines.count == 1, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("loopseal: error: "), "\(result)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(path), "stderr does not name \(path): \(result)", sourceLocation: sourceLocation)
        #expect(!result.stdoutText.contains(secret), "\(result)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains(secret), "\(result)", sourceLocation: sourceLocation)
    }

    @Test("flipping any byte of the value or a sealed data key makes get and export fail")
    func flippedBytes() throws {
        let box = try Sandbox("tamper")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        let bob = try box.keygen("bob")
        try box.initWorkspace("ws", [alice, bob])
        let secret = "abc"
        try box.set("SHORT", secret)
        try box.set("OTHER", "other value")
        let path = box.sealedPath("ws", "SHORT")
        let original = try readBytes(path)
        let file = try SealedFileText(path: path)
        let value = try file.value()
        #expect(value.count == 24 + secret.utf8.count + 16, "nonce || ciphertext || tag")

        // Every byte of the value, each with a different single-bit flip.
        for position in value.indices {
            var tampered = file
            var bytes = value
            bytes[position] ^= UInt8(1 << (position % 8))
            try tampered.setValue(bytes)
            try tampered.write(to: path)
            Self.expectFailure(try box.run(["get", "SHORT", "-i", alice.path]), naming: path, secret: secret)
            if position % 4 == 0 {
                Self.expectFailure(try box.run(["export", "--format", "json", "-i", alice.path]), naming: path, secret: secret)
            }
        }

        // A sample of 16 positions of alice's sealed data key (ephemeral pk || box).
        let aliceLine = try #require(file.recipientIndexes.first { file.lines[$0].contains(alice.publicKey) })
        let sealedKey = try file.sealedKey(at: aliceLine)
        #expect(sealedKey.count == 32 + 32 + 16, "crypto_box_seal of a 32-byte key")
        let positions = (0..<16).map { $0 * (sealedKey.count - 1) / 15 }
        #expect(Set(positions).count == 16 && positions.first == 0 && positions.last == sealedKey.count - 1)
        for (n, position) in positions.enumerated() {
            var tampered = file
            var bytes = sealedKey
            bytes[position] ^= UInt8(0x80 >> (n % 8))
            tampered.setSealedKey(at: aliceLine, bytes)
            try tampered.write(to: path)
            Self.expectFailure(try box.run(["get", "SHORT", "-i", alice.path]), naming: path, secret: secret)
            Self.expectFailure(try box.run(["export", "-i", alice.path]), naming: path, secret: secret)
            // Bob's entry is intact, so bob still reads it: the damage is local to alice's entry.
            #expect(try box.run(["get", "SHORT", "-i", bob.path]).stdoutText == secret)
        }

        // Truncated value, and a value that is not base64.
        var truncated = file
        try truncated.setValue(Array(value.prefix(30)))
        try truncated.write(to: path)
        Self.expectFailure(try box.run(["get", "SHORT", "-i", alice.path]), naming: path, secret: secret)
        var notBase64 = file
        notBase64.lines[try #require(file.valueIndex)] = "value: !!not-base64!!"
        try notBase64.write(to: path)
        Self.expectFailure(try box.run(["get", "SHORT", "-i", alice.path]), naming: path, secret: secret)

        // Restored, it opens again (so the failures above came from the flips).
        try writeBytes(original, to: path)
        #expect(try box.ok(["get", "SHORT", "-i", alice.path]).stdoutText == secret)
        try box.ok(["verify", "-i", alice.path])
    }

    @Test("a ciphertext moved to another key or another workspace does not open")
    func movedCiphertexts() throws {
        let box = try Sandbox("moved")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("one", [alice])
        try box.set("KEY_A", "value of A")
        try box.set("KEY_B", "value of B")
        let pathA = box.sealedPath("one", "KEY_A")
        let pathB = box.sealedPath("one", "KEY_B")
        let originalB = try readBytes(pathB)
        let fileA = try SealedFileText(path: pathA)
        let fileB = try SealedFileText(path: pathB)

        // A's value line in B's file, B's recipients left as they are.
        var swapped = fileB
        swapped.lines[try #require(swapped.valueIndex)] = fileA.lines[try #require(fileA.valueIndex)]
        try swapped.write(to: pathB)
        Self.expectFailure(try box.run(["get", "KEY_B", "-i", alice.path]), naming: pathB, secret: "value of A")
        Self.expectFailure(try box.run(["export", "-i", alice.path]), naming: pathB, secret: "value of A")

        // A's value AND A's data keys under B's id and key: the data key opens, but the
        // associated data (loopseal/1/one/KEY_B) does not match what A was sealed with.
        var transplanted = fileA
        for (i, line) in transplanted.lines.enumerated() where line.hasPrefix("id: ") || line.hasPrefix("key: ") {
            transplanted.lines[i] = try #require(fileB.lines.first { $0.hasPrefix(String(line.prefix(4))) })
        }
        try transplanted.write(to: pathB)
        #expect(transplanted.lines.contains("key: KEY_B"))
        Self.expectFailure(try box.run(["get", "KEY_B", "-i", alice.path]), naming: pathB, secret: "value of A")
        try writeBytes(originalB, to: pathB)
        #expect(try box.ok(["get", "KEY_B", "-i", alice.path]).stdoutText == "value of B")

        // The whole sealed file of A copied into a second workspace with the same recipient.
        try box.initWorkspace("two", [alice])
        let copied = box.sealedPath("two", "KEY_A")
        try FileManager.default.copyItem(atPath: pathA, toPath: copied)
        Self.expectFailure(try box.run(["get", "KEY_A", "--workspace", "two", "-i", alice.path]), naming: copied, secret: "value of A")
        Self.expectFailure(try box.run(["export", "--workspace", "two", "-i", alice.path]), naming: copied, secret: "value of A")
        let verify = try box.run(["verify", "--workspace", "two", "-i", alice.path])
        #expect(verify.status == 1 && verify.stderr.contains(copied), "\(verify)")

        // A renamed workspace: directory and workspace.yaml both say "renamed" now.
        let renamedDir = box.workspaceDir("renamed")
        try FileManager.default.moveItem(atPath: box.workspaceDir("one"), toPath: renamedDir)
        let yamlPath = "\(renamedDir)/workspace.yaml"
        let yaml = try String(contentsOfFile: yamlPath, encoding: .utf8)
        try writeBytes(Array(yaml.replacingOccurrences(of: "workspace: one\n", with: "workspace: renamed\n").utf8), to: yamlPath)
        let renamedA = box.sealedPath("renamed", "KEY_A")
        Self.expectFailure(try box.run(["get", "KEY_A", "--workspace", "renamed", "-i", alice.path]), naming: renamedA, secret: "value of A")
        // Listing still works: it never decrypts.
        #expect(try box.keysJSON(["--workspace", "renamed"]).count == 2)
    }
}
