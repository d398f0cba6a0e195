import Foundation
import Testing

/// The whole life of a workspace through the CLI, as a person would use it.
@Suite("Tour")
struct TourTests {
    @Test("keygen, init, set, keys, get, export, rm, verify")
    func tour() throws {
        let box = try Sandbox("tour")
        defer { box.remove() }

        // keygen -o: prints the public key, writes a 0600 identity file in age-keygen's shape.
        let alice = try box.keygen("alice")
        #expect(alice.publicKey.hasPrefix("age1"))
        #expect(alice.publicKey.count == 62, "age1 + 58 bech32 characters: \(alice.publicKey)")
        let identityText = try String(contentsOfFile: alice.path, encoding: .utf8)
        #expect(identityText.contains("# public key: \(alice.publicKey)\n"))
        #expect(alice.secretKey.hasPrefix("AGE-SECRET-KEY-1") && alice.secretKey.count == 74)
        let attributes = try FileManager.default.attributesOfItem(atPath: alice.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // keygen -o refuses to overwrite.
        let again = try box.run(["keygen", "-o", alice.path])
        #expect(again.status == 1, "\(again)")
        #expect(try String(contentsOfFile: alice.path, encoding: .utf8) == identityText)

        // init
        let created = try box.ok(["init", "acme-prod", "--recipient", "alice=\(alice.publicKey)"])
        #expect(created.stdoutText.contains("acme-prod"))
        let yaml = try String(contentsOfFile: "\(box.workspaceDir("acme-prod"))/workspace.yaml", encoding: .utf8)
        #expect(yaml.contains("workspace: acme-prod\n"))
        #expect(yaml.contains("alice: \(alice.publicKey)\n"))
        #expect(try box.run(["init", "acme-prod", "--recipient", "alice=\(alice.publicKey)"]).status == 1,
                "init of an existing workspace must fail")

        // set: stdin; one trailing newline dropped unless --raw.
        let values: [String: [UInt8]] = [
            "DATABASE_URL": Array("postgres://app:p%40ss@db:5432/app?sslmode=require".utf8),
            "API_TOKEN": Array("tok_9f8e7d6c5b4a".utf8),
            "QUOTES": Array("it's \"quoted\" $HOME `whoami` \\n $(id) ${X}".utf8),
            "UNICODE": Array("héllo wörld ✓ 🔐".utf8),
            "PEM": Array("-----BEGIN KEY-----\nabc\ndef\n-----END KEY-----\n".utf8),
            "CRLF": Array("windows\r\n".utf8),
            "SPACES": Array("  padded  ".utf8),
        ]
        try box.set("DATABASE_URL", values["DATABASE_URL"]! + [0x0A])
        try box.set("API_TOKEN", values["API_TOKEN"]!)  // no newline at all
        try box.set("QUOTES", values["QUOTES"]! + [0x0A])
        try box.set("UNICODE", values["UNICODE"]! + [0x0A])
        try box.set("PEM", values["PEM"]!, raw: true)  // keeps its trailing newline
        try box.set("CRLF", values["CRLF"]!, raw: true)
        try box.set("SPACES", values["SPACES"]!)
        // Only ONE trailing newline is dropped without --raw.
        try box.set("TWO_NEWLINES", Array("x\n\n".utf8))
        var expected = values
        expected["TWO_NEWLINES"] = Array("x\n".utf8)

        // keys (table)
        let table = try box.ok(["keys"])
        let lines = table.stdoutText.split(separator: "\n").map(String.init)
        try #require(lines.count == expected.count + 1, "\(table)")
        #expect(lines[0].hasPrefix("KEY"))
        #expect(lines[0].contains("VALUE") && lines[0].contains("ID"))
        let listed = lines.dropFirst().map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(listed == expected.keys.sorted(), "keys are listed sorted by key")
        for line in lines.dropFirst() { #expect(line.contains(" set "), "\(line)") }

        // keys --json
        let items = try box.keysJSON()
        #expect(items.count == expected.count)
        #expect(items.compactMap { $0["key"] as? String } == expected.keys.sorted())
        var ids: [String: String] = [:]
        for item in items {
            let key = try #require(item["key"] as? String)
            let id = try #require(item["id"] as? String)
            #expect(UUID(uuidString: id) != nil, "id is a UUID: \(id)")
            #expect(item["hasValue"] as? Bool == true)
            #expect(Set(item.keys) == ["id", "key", "hasValue"], "\(item)")
            ids[key] = id
        }
        #expect(Set(ids.values).count == expected.count, "ids are distinct")

        // get: exact bytes, with each way of finding the identity.
        for (key, value) in expected {
            let got = try box.ok(["get", key, "--identity", alice.path])
            #expect(got.stdout == value, "get \(key): \(got.stdout) != \(value)")
        }
        let viaEnv = try box.ok(["get", "PEM"], env: ["LOOPSEAL_IDENTITY": alice.secretKey])
        #expect(viaEnv.stdout == expected["PEM"]!)
        let viaEnvFile = try box.ok(["get", "PEM"], env: ["LOOPSEAL_IDENTITY_FILE": alice.path])
        #expect(viaEnvFile.stdout == expected["PEM"]!)
        let identitiesDir = "\(box.root)/loopseal/identities"  // $XDG_CONFIG_HOME/loopseal/identities
        try FileManager.default.createDirectory(atPath: identitiesDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: alice.path, toPath: "\(identitiesDir)/alice.txt")
        let viaDir = try box.ok(["get", "CRLF"])
        #expect(viaDir.stdout == expected["CRLF"]!)
        try FileManager.default.removeItem(atPath: identitiesDir)

        // Updating keeps the id and changes the value.
        try box.set("API_TOKEN", "tok_rotated\n")
        expected["API_TOKEN"] = Array("tok_rotated".utf8)
        #expect(try box.ok(["get", "API_TOKEN", "-i", alice.path]).stdout == expected["API_TOKEN"]!)
        let afterUpdate = try box.keysJSON()
        #expect(afterUpdate.first { $0["key"] as? String == "API_TOKEN" }?["id"] as? String == ids["API_TOKEN"],
                "the id is stable across updates")

        // export: every format is non-empty; json round-trips exactly.
        for format in ["dotenv", "shell", "json", "yaml"] {
            let out = try box.ok(["export", "--format", format, "-i", alice.path])
            #expect(!out.stdout.isEmpty, "export --format \(format) is empty")
            for key in expected.keys {
                #expect(out.stdoutText.contains(key), "export --format \(format) lacks \(key)")
            }
        }
        let exported = try box.exportJSON(["-i", alice.path])
        #expect(exported == expected.mapValues { String(decoding: $0, as: UTF8.self) })
        let only = try box.exportJSON(["-i", alice.path, "--key", "API_TOKEN"])
        #expect(only == ["API_TOKEN": "tok_rotated"])
        // bash reads the shell format back exactly (no command substitution runs).
        let shell = try box.ok(["export", "--format", "shell", "-i", alice.path])
        let script = "\(box.root)/out.sh"
        try writeBytes(shell.stdout, to: script)
        let sourced = try box.runner.runTool("/bin/bash", ["-c", "source \"$1\" && printf '%s' \"$QUOTES\"", "bash", script])
        #expect(sourced.status == 0, "\(sourced)")
        #expect(sourced.stdout == expected["QUOTES"]!)
        try FileManager.default.removeItem(atPath: script)

        // rm
        try box.ok(["rm", "SPACES"])
        expected["SPACES"] = nil
        #expect(!FileManager.default.fileExists(atPath: box.sealedPath("acme-prod", "SPACES")))
        #expect(try box.keysJSON().compactMap { $0["key"] as? String } == expected.keys.sorted())
        let gone = try box.run(["get", "SPACES", "-i", alice.path])
        #expect(gone.status == 1 && gone.stderrLines.count == 1 && gone.stderr.contains("SPACES"), "\(gone)")
        let rmAgain = try box.run(["rm", "SPACES"])
        #expect(rmAgain.status == 1 && rmAgain.stderr.hasPrefix("loopseal: error: "), "\(rmAgain)")
        #expect(try box.exportJSON(["-i", alice.path]).count == expected.count)

        // verify: with and without an identity.
        let verified = try box.ok(["verify", "-i", alice.path])
        #expect(verified.stdoutText.hasPrefix("ok:"), "\(verified)")
        #expect(verified.stdoutText.contains("\(expected.count) secrets"), "\(verified)")
        let parsedOnly = try box.ok(["verify"])
        #expect(parsedOnly.stdoutText.hasPrefix("ok:"), "\(parsedOnly)")

        // recipients list shows alice.
        let recipients = try box.ok(["recipients", "list"])
        #expect(recipients.stdoutText.contains("alice") && recipients.stdoutText.contains(alice.publicKey))

        // No temp files were left behind by normal writes.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "\(box.workspaceDir("acme-prod"))/secrets")
            .filter { !$0.hasSuffix(".sealed") || $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("a second recipient reads after add; a removed one does not after rm")
    func recipientsAddRemove() throws {
        let box = try Sandbox("recipients")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        let bob = try box.keygen("bob")
        try box.initWorkspace("team", [alice])
        try box.set("SECRET", "s3cret")
        let denied = try box.run(["get", "SECRET", "-i", bob.path])
        #expect(denied.status == 1 && denied.stderr.contains("alice"), "\(denied)")

        try box.ok(["recipients", "add", "bob", bob.publicKey, "-i", alice.path])
        #expect(try box.ok(["get", "SECRET", "-i", bob.path]).stdoutText == "s3cret")
        let listJSON = try box.ok(["recipients", "list", "--json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(listJSON.stdout)) as? [[String: String]])
        #expect(list.map { $0["name"] ?? "" } == ["alice", "bob"])
        #expect(list.map { $0["publicKey"] ?? "" } == [alice.publicKey, bob.publicKey])

        try box.ok(["recipients", "rm", "bob", "-i", alice.path])
        let after = try box.run(["get", "SECRET", "-i", bob.path])
        #expect(after.status == 1, "\(after)")
        #expect(!(try String(contentsOfFile: box.sealedPath("team", "SECRET"), encoding: .utf8)).contains(bob.publicKey))
        let last = try box.run(["recipients", "rm", "alice", "-i", alice.path])
        #expect(last.status == 1 && last.stderr.contains("last recipient"), "\(last)")
        try box.ok(["verify", "-i", alice.path])
    }

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

    @Test("the root is found from any directory below it; --root and --workspace choose explicitly")
    func rootAndWorkspaceDiscovery() throws {
        let box = try Sandbox("root")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("first", [alice])
        try box.set("ONE", "1")
        let deep = "\(box.workspaceDir("first"))/secrets"
        let fromDeep = try box.run(["get", "ONE", "-i", alice.path], cwd: deep)
        #expect(fromDeep.status == 0 && fromDeep.stdoutText == "1", "\(fromDeep)")
        let elsewhere = try box.run(["get", "ONE", "--root", box.root, "-i", alice.path], cwd: "/")
        #expect(elsewhere.status == 0 && elsewhere.stdoutText == "1", "\(elsewhere)")
        let lost = try box.run(["keys"], cwd: "/")
        #expect(lost.status == 1 && lost.stderr.contains("workspaces/") && lost.stderrLines.count == 1, "\(lost)")
        // A relative --identity is relative to the working directory.
        let relative = try box.run(["get", "ONE", "-i", "keys/alice.key"])
        #expect(relative.stdoutText == "1", "\(relative)")

        try box.initWorkspace("second", [alice])
        let ambiguous = try box.run(["keys"])
        #expect(ambiguous.status == 1 && ambiguous.stderr.contains("first") && ambiguous.stderr.contains("second")
                && ambiguous.stderr.contains("--workspace"), "\(ambiguous)")
        try box.set("TWO", "2", extra: ["--workspace", "second"])
        #expect(try box.ok(["get", "TWO", "--workspace", "second", "-i", alice.path]).stdoutText == "2")
        #expect(try box.ok(["get", "ONE", "-w", "first", "-i", alice.path]).stdoutText == "1")
        #expect(try box.run(["get", "TWO", "--workspace", "first", "-i", alice.path]).status == 1)
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
