import Foundation
import Testing

/// Issue 11, items 2 and 4 through the CLI: one bad file is named and never takes the workspace
/// down; a recipients change with a bad file changes nothing.
@Suite("unreadable files")
struct UnreadableFileTests {
    static let conflicted = "loopseal: 1\n<<<<<<< HEAD\nid: 6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20\n=======\nid: 7f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20\n>>>>>>> theirs\nkey: BROKEN\n"

    @Test("keys lists every good secret and names the conflicted file; get of another key works; export and verify name it")
    func conflictedFile() throws {
        let box = try Sandbox("conflict")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try box.set("GOOD", "fine")
        try writeBytes(Array(Self.conflicted.utf8), to: box.sealedPath("app", "BROKEN"))

        let keys = try box.ok(["keys", "--json"])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(keys.stdout)) as? [[String: Any]])
        #expect(items.map { $0["key"] as? String } == ["BROKEN", "GOOD"])
        #expect(items[0]["hasValue"] is NSNull && items[0]["id"] is NSNull)
        #expect((items[0]["problem"] as? String)?.contains("merge conflict in \(box.sealedPath("app", "BROKEN")) (line 2)") == true)
        #expect(items[1]["hasValue"] as? Bool == true)
        #expect(keys.stderr.contains("merge conflict in"))
        let table = try box.ok(["keys"])
        #expect(table.stdoutText.contains("BROKEN  ?") && table.stdoutText.contains("GOOD    set"), "\(table)")

        #expect(try box.ok(["get", "GOOD", "-i", alice.path]).stdoutText == "fine")
        let export = try box.run(["export", "-i", alice.path])
        #expect(export.status == 1 && export.stderr.contains("merge conflict in \(box.sealedPath("app", "BROKEN"))") && export.stdout.isEmpty, "\(export)")
        let verify = try box.run(["verify", "-i", alice.path])
        #expect(verify.status == 1 && verify.stderr.contains("merge conflict in"), "\(verify)")
    }

    @Test("verify names two files that share an id")
    func duplicateIDs() throws {
        let box = try Sandbox("dup-id")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try box.set("ONE", "1")
        let text = try String(contentsOfFile: box.sealedPath("app", "ONE"), encoding: .utf8)
        try writeBytes(Array(text.replacingOccurrences(of: "key: ONE", with: "key: TWO").utf8), to: box.sealedPath("app", "TWO"))
        let verify = try box.run(["verify"])
        #expect(verify.status == 1, "\(verify)")
        #expect(verify.stderr.contains("\(box.sealedPath("app", "ONE")) and \(box.sealedPath("app", "TWO")) share the id"), "\(verify)")
    }

    @Test("recipients rm with one unreadable file changes nothing and says so; fixed, it re-seals and lists what to rotate")
    func recipientsRemovalIsAllOrNothing() throws {
        let box = try Sandbox("rm-atomic")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        let bob = try box.keygen("bob")
        try box.initWorkspace("app", [alice, bob])
        try box.set("A", "a")
        try box.set("B", "b")
        try writeBytes(Array(Self.conflicted.utf8), to: box.sealedPath("app", "BROKEN"))
        let config = "\(box.workspaceDir("app"))/workspace.yaml"
        let before = try [config, box.sealedPath("app", "A"), box.sealedPath("app", "B")].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }

        let refused = try box.run(["recipients", "rm", "bob", "-i", alice.path])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("recipients rm refused, nothing was changed"), "\(refused)")
        #expect(refused.stderr.contains("merge conflict in \(box.sealedPath("app", "BROKEN"))"), "\(refused)")
        #expect(refused.stdout.isEmpty)
        #expect(try [config, box.sealedPath("app", "A"), box.sealedPath("app", "B")].map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == before)

        try FileManager.default.removeItem(atPath: box.sealedPath("app", "BROKEN"))
        let removed = try box.ok(["recipients", "rm", "bob", "-i", alice.path])
        #expect(removed.stdoutText == "A\nB\n")
        #expect(try box.run(["get", "A", "-i", bob.path]).status == 1)
    }

    @Test("links to /dev/zero and FIFOs as sealed files, workspace.yaml or workflows fail fast with the file named")
    func specialFilesFailFast() throws {
        let box = try Sandbox("special-files")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try box.set("GOOD", "fine")
        try FileManager.default.createSymbolicLink(atPath: box.sealedPath("app", "ZERO"), withDestinationPath: "/dev/zero")
        #expect(mkfifo(box.sealedPath("app", "PIPE"), 0o600) == 0)
        let get = try box.run(["get", "ZERO", "-i", alice.path], timeout: 20)
        #expect(get.status == 1 && !get.signaled && get.stderr.contains("\(box.sealedPath("app", "ZERO")): is a symbolic link"), "\(get)")
        let pipe = try box.run(["get", "PIPE", "-i", alice.path], timeout: 20)
        #expect(pipe.status == 1 && pipe.stderr.contains("is a FIFO, not a regular file"), "\(pipe)")
        #expect(try box.ok(["get", "GOOD", "-i", alice.path]).stdoutText == "fine")

        try FileManager.default.createDirectory(atPath: "\(box.root)/workflows", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(box.root)/workflows/evil.yaml", withDestinationPath: "/dev/zero")
        let validate = try box.run(["workflow", "validate", "workflows/evil.yaml"], timeout: 20)
        #expect(validate.status == 1 && !validate.signaled && validate.stderr.contains("is a character device, not a regular file"), "\(validate)")

        let config = "\(box.workspaceDir("app"))/workspace.yaml"
        try FileManager.default.removeItem(atPath: config)
        #expect(mkfifo(config, 0o600) == 0)
        let keys = try box.run(["keys"], timeout: 20)
        #expect(keys.status == 1 && keys.stderr.contains("workspace.yaml: is a FIFO"), "\(keys)")
    }
}
