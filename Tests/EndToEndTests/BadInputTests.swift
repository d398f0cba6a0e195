import Foundation
import Testing

/// Errors are one line on stderr, exit 1, and say what to fix; usage errors exit 2.
@Suite("bad input")
struct BadInputTests {
    /// Exit 1, one stderr line starting with "loopseal: error: " and holding every `words`; no stdout.
    @discardableResult
    static func expectError(_ result: RunResult, _ words: [String],
                            sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(result.status == 1 && !result.signaled, "expected exit 1: \(result)", sourceLocation: sourceLocation)
        #expect(result.stderrLines.count == 1, "expected one stderr line: \(result)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("loopseal: error: "), "\(result)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasSuffix("\n"), "\(result)", sourceLocation: sourceLocation)
        for word in words {
            #expect(result.stderr.contains(word), "stderr lacks '\(word)': \(result)", sourceLocation: sourceLocation)
        }
        #expect(result.stdout.isEmpty, "\(result)", sourceLocation: sourceLocation)
        return result.stderr
    }

    /// LINE and COLUMN of `workspace.yaml:LINE:COLUMN: ` in `message`.
    static func lineAndColumn(_ message: String) throws -> (Int, Int)? {
        let pattern = try Regex(#"workspace\.yaml:([0-9]+):([0-9]+): "#, as: (Substring, Substring, Substring).self)
        guard let match = message.firstMatch(of: pattern) else { return nil }
        return (Int(match.1)!, Int(match.2)!)
    }

    /// A workspace "ws" with alice and ci-deploy as recipients and one secret.
    static func prepared(_ label: String) throws -> (Sandbox, Sandbox.Key, Sandbox.Key) {
        let box = try Sandbox(label)
        let alice = try box.keygen("alice")
        let deploy = try box.keygen("ci-deploy")
        try box.initWorkspace("ws", [alice, deploy])
        try box.set("GOOD", "good value")
        return (box, alice, deploy)
    }

    /// `key` with its last data character changed, so the bech32 checksum no longer matches.
    static func badChecksum(_ key: String) -> String {
        var chars = Array(key)
        let index = chars.count - 7  // a data character, just before the 6 checksum characters
        chars[index] = chars[index] == "q" ? "p" : "q"
        return String(chars)
    }

    @Test("invalid key names and workspace ids say the rule")
    func invalidNames() throws {
        let (box, alice, _) = try Self.prepared("names")
        defer { box.remove() }
        let id = ["-i", alice.path]
        Self.expectError(try box.run(["set", "../x"], stdin: Array("v".utf8)), ["invalid secret key", "'../x'", "[A-Za-z_][A-Za-z0-9_]*"])
        Self.expectError(try box.run(["get", "a b"] + id), ["invalid secret key", "'a b'", "[A-Za-z_][A-Za-z0-9_]*"])
        Self.expectError(try box.run(["rm", "1ABC"]), ["invalid secret key", "1ABC"])
        Self.expectError(try box.run(["get", String(repeating: "K", count: 201)] + id), ["invalid secret key", "200"])
        Self.expectError(try box.run(["export", "--key", "x-y"] + id), ["invalid secret key", "x-y"])
        // Nothing was created outside secrets/.
        #expect(!FileManager.default.fileExists(atPath: "\(box.workspaceDir("ws"))/x.sealed"))
        #expect(!FileManager.default.fileExists(atPath: "\(box.root)/workspaces/x.sealed"))

        Self.expectError(try box.run(["keys", "--workspace", "../x"]), ["invalid workspace id", "'../x'", "[a-z0-9_-]"])
        Self.expectError(try box.run(["get", "GOOD", "--workspace", "../x"] + id), ["invalid workspace id", "../x"])
        Self.expectError(try box.run(["init", "Bad_ID", "--recipient", "alice=\(alice.publicKey)"]),
                         ["invalid workspace id", "'Bad_ID'", "[a-z0-9_-]"])
        Self.expectError(try box.run(["init", "_leading", "--recipient", "alice=\(alice.publicKey)"]), ["invalid workspace id"])
        Self.expectError(try box.run(["init", String(repeating: "a", count: 64), "--recipient", "alice=\(alice.publicKey)"]),
                         ["invalid workspace id"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(box.root)/workspaces") == ["ws"])
        Self.expectError(try box.run(["keys", "--workspace", "nope"]), ["workspace 'nope' not found"])
        Self.expectError(try box.run(["recipients", "add", "bad name", alice.publicKey, "--no-rekey"]), ["invalid recipient name"])
    }

    @Test("a malformed workspace.yaml is reported with file, line and column")
    func malformedWorkspaceYAML() throws {
        let (box, alice, deploy) = try Self.prepared("yaml")
        defer { box.remove() }
        let yamlPath = "\(box.workspaceDir("ws"))/workspace.yaml"
        let good = try readBytes(yamlPath)
        let id = ["-i", alice.path]

        // Broken YAML: an unclosed flow sequence on line 3.
        try writeBytes(Array("workspace: ws\nrecipients:\n  alice: [unclosed\n  bob: x\n".utf8), to: yamlPath)
        for args in [["get", "GOOD"] + id, ["recipients", "list"], ["export"] + id] {
            let message = Self.expectError(try box.run(args), ["\(yamlPath):", "YAML"])
            let location = try Self.lineAndColumn(message)
            #expect(location != nil, "no LINE:COLUMN in: \(message)")
            if let (line, column) = location {
                #expect((3...5).contains(line), "line \(line) is not near the error: \(message)")
                #expect(column >= 1)
            }
        }
        Self.expectError(try box.run(["set", "NEW"], stdin: Array("v".utf8)), ["\(yamlPath):"])
        #expect(!FileManager.default.fileExists(atPath: box.sealedPath("ws", "NEW")), "nothing is sealed with a broken config")

        // Indentation error: a tab.
        try writeBytes(Array("workspace: ws\nrecipients:\n\talice: \(alice.publicKey)\n".utf8), to: yamlPath)
        let tab = Self.expectError(try box.run(["recipients", "list"]), ["\(yamlPath):"])
        #expect(try Self.lineAndColumn(tab) != nil, "\(tab)")

        // Unknown field: named, with its line.
        try writeBytes(Array("workspace: ws\nrecipients:\n  alice: \(alice.publicKey)\n  ci-deploy: \(deploy.publicKey)\ntargets: []\nextras: true\n".utf8), to: yamlPath)
        for args in [["get", "GOOD"] + id, ["recipients", "list"]] {
            Self.expectError(try box.run(args), ["\(yamlPath):6:", "unknown field 'extras'"])
        }

        // workspace: must equal the directory name.
        try writeBytes(Array("workspace: other\nrecipients:\n  alice: \(alice.publicKey)\n".utf8), to: yamlPath)
        Self.expectError(try box.run(["recipients", "list"]), ["\(yamlPath):1:", "other", "ws"])

        // A recipient key with a bad checksum inside workspace.yaml.
        try writeBytes(Array("workspace: ws\nrecipients:\n  alice: \(Self.badChecksum(alice.publicKey))\n".utf8), to: yamlPath)
        Self.expectError(try box.run(["recipients", "list"]), ["\(yamlPath):3:", "alice", "checksum"])

        try writeBytes(good, to: yamlPath)
        #expect(try box.ok(["get", "GOOD"] + id).stdoutText == "good value")
    }

    @Test("keys, verify and rm also refuse a malformed workspace.yaml")
    func keysChecksWorkspaceYAML() throws {
        let (box, alice, _) = try Self.prepared("keys-yaml")
        defer { box.remove() }
        let yamlPath = "\(box.workspaceDir("ws"))/workspace.yaml"
        try writeBytes(Array("workspace: ws\nrecipients:\n  alice: \(alice.publicKey)\nextras: true\n".utf8), to: yamlPath)
        // `keys` decrypts nothing, but it still refuses a workspace whose workspace.yaml is invalid.
        Self.expectError(try box.run(["keys"]), ["\(yamlPath):4:", "unknown field 'extras'"])
        Self.expectError(try box.run(["keys", "--json"]), ["\(yamlPath):4:", "unknown field 'extras'"])
        Self.expectError(try box.run(["verify"]), ["\(yamlPath):4:", "unknown field 'extras'"])
        Self.expectError(try box.run(["rm", "GOOD"]), ["\(yamlPath):4:", "unknown field 'extras'"])
        #expect(FileManager.default.fileExists(atPath: box.sealedPath("ws", "GOOD")))
    }

    @Test("sealed files from a newer loopseal or with unknown fields are errors, never ignored")
    func sealedFileFormat() throws {
        let (box, alice, _) = try Self.prepared("format")
        defer { box.remove() }
        let path = box.sealedPath("ws", "GOOD")
        let good = try SealedFileText(path: path)
        let id = ["-i", alice.path]

        var newer = good
        let versionLine = try #require(newer.lines.firstIndex(of: "loopseal: 1"))
        newer.lines[versionLine] = "loopseal: 2"
        try newer.write(to: path)
        for args in [["get", "GOOD"] + id, ["export"] + id] {
            Self.expectError(try box.run(args), [path, "newer loopseal"])
        }
        // Listings name the bad file and still list the rest (issue 11, item 4).
        for args in [["keys"], ["keys", "--json"]] {
            let listed = try box.run(args)
            #expect(listed.status == 0 && listed.stderr.contains("loopseal: problem: \(path): written by a newer loopseal"), "\(listed)")
        }
        let verify = try box.run(["verify"] + id)
        #expect(verify.status == 1 && verify.stderr.contains("newer loopseal"), "\(verify)")

        var unknown = good
        if unknown.lines.last == "" { unknown.lines.removeLast() }
        unknown.lines.append("comment: hello")
        let unknownLine = unknown.lines.count
        unknown.lines.append("")
        try unknown.write(to: path)
        for args in [["get", "GOOD"] + id, ["export"] + id] {
            Self.expectError(try box.run(args), ["\(path):\(unknownLine):", "unknown field 'comment'"])
        }
        let listed = try box.run(["keys"])
        #expect(listed.status == 0 && listed.stderr.contains("\(path):\(unknownLine):") && listed.stdoutText.contains("GOOD  ?"), "\(listed)")

        // The YAML path (a hand-quoted file) keeps positions too.
        var quoted = good
        quoted.lines = quoted.lines.map { $0.hasPrefix("key: ") ? "key: \"GOOD\"" : $0 }
        if quoted.lines.last == "" { quoted.lines.removeLast() }
        quoted.lines.append("extra: 1")
        let extraLine = quoted.lines.count
        quoted.lines.append("")
        try quoted.write(to: path)
        Self.expectError(try box.run(["get", "GOOD"] + id), ["\(path):\(extraLine):", "unknown field 'extra'"])

        // The same file without the unknown field but hand-quoted still opens.
        quoted.lines.removeAll { $0 == "extra: 1" }
        try quoted.write(to: path)
        #expect(try box.ok(["get", "GOOD"] + id).stdoutText == "good value")
    }

    @Test("identity problems: none found, not a recipient, unreadable file")
    func identities() throws {
        let (box, alice, _) = try Self.prepared("identity")
        defer { box.remove() }
        let path = box.sealedPath("ws", "GOOD")
        Self.expectError(try box.run(["get", "GOOD"]), ["no identity found", "--identity", "LOOPSEAL_IDENTITY"])
        Self.expectError(try box.run(["export"]), ["no identity found"])
        Self.expectError(try box.run(["rekey"]), ["no identity found"])

        let stranger = try box.keygen("stranger")
        let message = Self.expectError(try box.run(["get", "GOOD", "-i", stranger.path]), [path, "alice", "ci-deploy", "recipient"])
        #expect(!message.contains(stranger.secretKey))
        Self.expectError(try box.run(["get", "GOOD"], env: ["LOOPSEAL_IDENTITY": stranger.secretKey]), ["alice", "ci-deploy"])

        Self.expectError(try box.run(["get", "GOOD", "-i", "\(box.root)/keys/missing.key"]), ["missing.key"])
        Self.expectError(try box.run(["get", "GOOD"], env: ["LOOPSEAL_IDENTITY_FILE": "\(box.root)/keys/missing.key"]), ["missing.key"])
        let notKey = "\(box.root)/keys/not-a-key.txt"
        try writeBytes(Array("# nothing here\n\nhello\n".utf8), to: notKey)
        Self.expectError(try box.run(["get", "GOOD", "-i", notKey]), ["\(notKey):3"])
        #expect(try box.ok(["get", "GOOD", "-i", alice.path]).stdoutText == "good value")
    }

    @Test("recipient strings with a bad checksum are refused by init and recipients add")
    func badRecipientChecksum() throws {
        let (box, alice, _) = try Self.prepared("checksum")
        defer { box.remove() }
        let other = try box.keygen("other")
        let broken = Self.badChecksum(other.publicKey)
        #expect(broken != other.publicKey)
        Self.expectError(try box.run(["init", "fresh", "--recipient", "other=\(broken)"]), ["other", "checksum"])
        #expect(!FileManager.default.fileExists(atPath: box.workspaceDir("fresh")))
        Self.expectError(try box.run(["recipients", "add", "other", broken, "-i", alice.path]), ["other", "checksum"])
        Self.expectError(try box.run(["recipients", "add", "other", broken, "--no-rekey"]), ["other", "checksum"])
        let truncated = String(other.publicKey.dropLast(4))
        Self.expectError(try box.run(["recipients", "add", "other", truncated, "--no-rekey"]), ["other"])
        Self.expectError(try box.run(["init", "fresh", "--recipient", "other=AGE-SECRET-KEY-1QQQQ"]), ["other"])
        let list = try box.ok(["recipients", "list"])
        #expect(!list.stdoutText.contains("other"), "\(list)")
    }

    @Test("usage errors exit 2", arguments: [
        ["set", "KEY", "value-as-argument"],
        ["keys", "--bogus"],
        ["get"],
        ["export", "--format", "xml"],
        ["frobnicate"],
        ["init", "ws2"],
        ["exec", "--"],
    ])
    func usageErrors(_ args: [String]) throws {
        let (box, _, _) = try Self.prepared("usage")
        defer { box.remove() }
        let result = try box.run(args, stdin: Array("v".utf8))
        #expect(result.status == 2 && !result.signaled, "\(result)")
        #expect(!result.stderr.isEmpty, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        if args.first == "set" {
            #expect(result.stderr.contains("never taken from arguments"), "\(result)")
            #expect(!result.stderr.contains("value-as-argument"), "the refused value is echoed: \(result)")
            #expect(!FileManager.default.fileExists(atPath: box.sealedPath("ws", "KEY")))
        }
    }
}
