import Foundation
import Testing

/// A secret value only ever leaves loopseal on the stdout of get, export and exec.
@Suite("leaks")
struct LeakTests {
    @Test("the canary appears only on the stdout of get/export/exec and in no file")
    func canary() throws {
        let box = try Sandbox("leaks")
        defer { box.remove() }
        let canary = "CANARY-5d1e-\(UUID().uuidString)"
        let canaryBytes = Array(canary.utf8)
        let alice = try box.keygen("alice")
        let bob = try box.keygen("bob")
        let outsider = try box.keygen("outsider")
        try box.initWorkspace("leaky", [alice])
        try box.set("CANARY_KEY", canary + "\n")
        try box.set("PLAIN", "not secret")

        var checked = 0
        func quiet(_ args: [String], stdin: [UInt8]? = nil, env: [String: String?] = [:],
                   status: Int32? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let result = try box.run(args, stdin: stdin, env: env)
            if let status { #expect(result.status == status, "\(result)", sourceLocation: sourceLocation) }
            #expect(!result.stdout.contains(bytes: canaryBytes), "canary on stdout of \(result)", sourceLocation: sourceLocation)
            #expect(!result.stderr.contains(canary), "canary on stderr of \(result)", sourceLocation: sourceLocation)
            checked += 1
        }
        let id = ["-i", alice.path]

        // Every command other than get/export/exec, successful ones first.
        try quiet(["keys"], status: 0)
        try quiet(["keys", "--json"], status: 0)
        try quiet(["verify"] + id, status: 0)
        try quiet(["verify"], status: 0)
        try quiet(["recipients", "list"], status: 0)
        try quiet(["recipients", "list", "--json"], status: 0)
        try quiet(["recipients", "add", "bob", bob.publicKey] + id, status: 0)
        try quiet(["rekey"] + id, status: 0)
        try quiet(["recipients", "rm", "bob"] + id, status: 0)
        try quiet(["recipients", "add", "bob", bob.publicKey, "--no-rekey"], status: 0)
        try quiet(["rekey"], env: ["LOOPSEAL_IDENTITY": alice.secretKey], status: 0)
        try quiet(["set", "OTHER"], stdin: Array("other".utf8), status: 0)
        try quiet(["set", "OTHER", "--raw"], stdin: Array("other\n".utf8), status: 0)
        try quiet(["rm", "OTHER"], status: 0)
        try quiet(["keygen"], status: 0)
        try quiet(["--help"], status: 0)
        try quiet(["--version"], status: 0)
        // Failures and invalid invocations.
        try quiet(["get", "MISSING"] + id, status: 1)
        try quiet(["get", "CANARY_KEY", "-i", outsider.path], status: 1)
        try quiet(["get", "CANARY_KEY"], status: 1)  // no identity
        try quiet(["get", "a b"] + id, status: 1)
        try quiet(["export", "--key", "MISSING"] + id, status: 1)
        try quiet(["export", "-i", outsider.path], status: 1)
        try quiet(["exec", "-i", outsider.path, "--", "sh", "-c", "printf %s \"$CANARY_KEY\""], status: 1)
        try quiet(["rm", "MISSING"], status: 1)
        try quiet(["set", "../x"], stdin: Array("x".utf8), status: 1)
        try quiet(["init", "Bad_ID", "--recipient", "alice=\(alice.publicKey)"], status: 1)
        try quiet(["recipients", "rm", "nobody"] + id, status: 1)
        try quiet(["recipients", "add", "bob", bob.publicKey] + id, status: 1)  // already listed
        try quiet(["verify", "-i", outsider.path], status: 1)
        // The canary given as an argument is refused without being echoed.
        try quiet(["set", "CANARY_KEY", canary], status: 2)
        try quiet(["keys", "--bogus"], status: 2)
        try quiet(["export", "--format", "nope"] + id, status: 2)
        try quiet(["exec"] + id, status: 2)
        try quiet(["get"], status: 2)
        // exec without printing it: the value is in the child's environment only.
        try quiet(["exec"] + id + ["--", "true"], status: 0)
        try quiet(["exec"] + id + ["--", "sh", "-c", "exit 3"], status: 3)
        try quiet(["exec"] + id + ["--", "loopseal-no-such-program"])

        // get, export and exec print it, on stdout only.
        func loud(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let result = try box.run(args)
            #expect(result.status == 0, "\(result)", sourceLocation: sourceLocation)
            #expect(result.stdout.contains(bytes: canaryBytes), "\(result)", sourceLocation: sourceLocation)
            #expect(!result.stderr.contains(canary), "canary on stderr of \(result)", sourceLocation: sourceLocation)
        }
        try loud(["get", "CANARY_KEY"] + id)
        for format in ["dotenv", "shell", "json", "yaml"] { try loud(["export", "--format", format] + id) }
        try loud(["exec"] + id + ["--", "sh", "-c", "printf %s \"$CANARY_KEY\""])
        #expect(checked >= 35)

        // No file anywhere under the sandbox holds the canary: not the sealed files, not
        // workspace.yaml, not .loopseal/, not stale temp files, not identities.
        let files = allFiles(under: box.root)
        #expect(files.count >= 8, "\(files)")
        for file in files {
            #expect(!(try readBytes(file)).contains(bytes: canaryBytes), "the canary is in \(file)")
        }
        // The identity file and secret key never show up in outputs of other commands either.
        let keysOut = try box.ok(["keys", "--json"])
        #expect(!keysOut.stdoutText.contains(alice.secretKey))

        // A tampered file: the error names the file but not the value.
        let path = box.sealedPath("leaky", "CANARY_KEY")
        var file = try SealedFileText(path: path)
        var value = try file.value()
        value[value.count - 1] ^= 0x01
        try file.setValue(value)
        try file.write(to: path)
        for args in [["get", "CANARY_KEY"] + id, ["export"] + id, ["export", "--format", "json"] + id,
                     ["exec"] + id + ["--", "true"], ["verify"] + id] {
            let result = try box.run(args)
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains(path), "\(result)")
            #expect(!result.stderr.contains(canary) && !result.stdout.contains(bytes: canaryBytes), "\(result)")
        }
        // A hand-edited value line holding text is not echoed back in the error either.
        file.lines[try #require(file.valueIndex)] = "value: \(canary)"
        try file.write(to: path)
        let edited = try box.run(["get", "CANARY_KEY"] + id)
        #expect(edited.status == 1 && edited.stderr.contains(path), "\(edited)")
        #expect(!edited.stderr.contains(canary), "the error echoes the file's content: \(edited)")
    }

    @Test("identity files are written 0600 and secret keys never reach stderr")
    func identityFiles() throws {
        let box = try Sandbox("leaks-id")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("ws", [alice])
        try box.set("K", "v")
        // A broken identity file: the error names the file and line, never its content.
        let broken = "\(box.root)/keys/broken.key"
        let bogus = alice.secretKey.dropLast(3) + "qqq"
        try writeBytes(Array("# comment\n\(bogus)\n".utf8), to: broken)
        let result = try box.run(["get", "K", "-i", broken])
        #expect(result.status == 1 && result.stderrLines.count == 1, "\(result)")
        #expect(result.stderr.contains(broken), "\(result)")
        #expect(!result.stderr.contains(String(bogus)) && !result.stderr.contains(String(bogus.dropFirst(16).prefix(20))),
                "the error shows key material: \(result)")
        let viaEnv = try box.run(["get", "K"], env: ["LOOPSEAL_IDENTITY": String(bogus)])
        #expect(viaEnv.status == 1 && !viaEnv.stderr.contains(String(bogus.dropFirst(16).prefix(20))), "\(viaEnv)")
    }
}
