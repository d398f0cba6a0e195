import Foundation
import Testing

/// The whole life of a workspace through the CLI is a transcript (`testdata/tour_workspace_life.txt`,
/// `recipients_add_and_remove.txt`, `workspace_discovery.txt`); what needs raw bytes or inodes stays here.
@Suite("Tour")
struct TourTests {
    @Test("binary values round-trip through get; formats and exec refuse them naming the key")
    func binaryValues() throws {
        let box = try Sandbox("binary")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("bin", [alice])
        let all = (0...255).map(UInt8.init)
        try box.set("BINARY", all, raw: true)
        #expect(try box.ok(["get", "BINARY", "-i", alice.path]).stdout == all)
        for format in ["dotenv", "shell", "json", "yaml"] {
            let result = try box.run(["export", "--format", format, "-i", alice.path])
            #expect(result.status == 1 && result.stderrLines.count == 1 && result.stderr.contains("BINARY"), "\(result)")
            #expect(result.stdout.isEmpty, "nothing is half-printed: \(result)")
        }
        let exec = try box.run(["exec", "-i", alice.path, "--", "sh", "-c", "printf ran"])
        #expect(exec.status == 1 && exec.stderr.contains("BINARY") && exec.stdout.isEmpty, "\(exec)")
        // An empty value is a value.
        try box.set("EMPTY", [], extra: ["--allow-empty"])
        #expect(try box.ok(["get", "EMPTY", "-i", alice.path]).stdout.isEmpty)
        #expect(try box.keysJSON().first { $0["key"] as? String == "EMPTY" }?["hasValue"] as? Bool == true)
        try box.ok(["rm", "BINARY"])
        #expect(try box.exportJSON(["-i", alice.path]) == ["EMPTY": ""])
    }

    @Test("rekey rewrites only what changed and keeps remaining entries byte for byte")
    func rekeyWithoutChurn() throws {
        let box = try Sandbox("churn")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        let bob = try box.keygen("bob")
        try box.initWorkspace("calm", [alice])
        try box.set("A", "value a")
        try box.set("B", "value b")
        let pathA = box.sealedPath("calm", "A")
        let before = try readBytes(pathA)
        let inode = { (path: String) throws -> UInt64 in
            ((try FileManager.default.attributesOfItem(atPath: path))[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        }
        let inodeBefore = try inode(pathA)
        // Nothing to do: no file is rewritten.
        let idle = try box.ok(["rekey", "-i", alice.path])
        #expect(idle.stderr.contains("rekeyed 0"), "\(idle)")
        #expect(try readBytes(pathA) == before)
        #expect(try inode(pathA) == inodeBefore, "an up-to-date file was replaced")

        // verify notices a recipient list that changed without a rekey.
        try box.ok(["recipients", "add", "bob", bob.publicKey, "--no-rekey"])
        let stale = try box.run(["verify", "-i", alice.path])
        #expect(stale.status == 1 && stale.stderr.contains(pathA) && stale.stderr.contains("rekey"), "\(stale)")
        #expect(try box.run(["get", "A", "-i", bob.path]).status == 1)

        // Adding bob: the value and alice's entry stay byte for byte; bob's entry is added.
        try box.ok(["rekey", "-i", alice.path])
        let newFile = try SealedFileText(path: pathA)
        let beforeText = SealedFileText(lines: String(decoding: before, as: UTF8.self))
        #expect(newFile.lines.first { $0.hasPrefix("value: ") } == beforeText.lines.first { $0.hasPrefix("value: ") })
        #expect(newFile.lines.first { $0.hasPrefix("id: ") } == beforeText.lines.first { $0.hasPrefix("id: ") })
        let aliceLine = try #require(beforeText.lines.first { $0.contains(alice.publicKey) })
        #expect(newFile.lines.contains(aliceLine), "alice's sealed data key was re-sealed needlessly")
        #expect(newFile.lines.contains { $0.hasPrefix("  \(bob.publicKey): ") })
        #expect(try box.ok(["get", "A", "-i", bob.path]).stdoutText == "value a")
        try box.ok(["verify", "-i", bob.path])
        // Entries are sorted by public key.
        let recipientKeys = newFile.recipientIndexes.map { newFile.lines[$0].split(separator: ":")[0] }
        #expect(recipientKeys == recipientKeys.sorted())
    }
}
