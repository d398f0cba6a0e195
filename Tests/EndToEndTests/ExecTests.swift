import Foundation
import Testing

/// `loopseal exec -- CMD…`: the command gets the secrets in its environment and loopseal's
/// stdin, stdout and exit status are the command's own.
@Suite("exec")
struct ExecTests {
    /// A workspace with a few secrets and the identity to open them.
    static func prepared() throws -> (Sandbox, Sandbox.Key) {
        let box = try Sandbox("exec")
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try box.set("KEY", "value with spaces, 'quotes' and $dollars")
        try box.set("MULTI", "line one\nline two\n", raw: true)
        try box.set("PATHISH", "/opt/secret/bin")
        return (box, alice)
    }

    @Test("secrets are in the child's environment")
    func environment() throws {
        let (box, alice) = try Self.prepared()
        defer { box.remove() }
        let plain = try box.ok(["exec", "-i", alice.path, "--", "sh", "-c", "printf %s \"$KEY\""])
        #expect(plain.stdoutText == "value with spaces, 'quotes' and $dollars")
        let multi = try box.ok(["exec", "-i", alice.path, "--", "sh", "-c", "printf %s \"$MULTI\""])
        #expect(multi.stdoutText == "line one\nline two\n")
        // A secret overrides a variable that is already set; other variables pass through.
        let override = try box.ok(["exec", "-i", alice.path, "--", "sh", "-c", "printf '%s|%s' \"$KEY\" \"$UNRELATED\""],
                                  env: ["KEY": "from-parent", "UNRELATED": "kept"])
        #expect(override.stdoutText == "value with spaces, 'quotes' and $dollars|kept")
        // Identity from the environment works too; nothing is printed on stderr by loopseal.
        let viaEnv = try box.ok(["exec", "--", "sh", "-c", "printf %s \"$PATHISH\""],
                                env: ["LOOPSEAL_IDENTITY": alice.secretKey])
        #expect(viaEnv.stdoutText == "/opt/secret/bin")
        #expect(viaEnv.stderr.isEmpty, "\(viaEnv)")
        // Arguments reach the command verbatim (no shell in between).
        let args = try box.ok(["exec", "-i", alice.path, "--", "printf", "%s|%s", "a b", "--format"])
        #expect(args.stdoutText == "a b|--format")
    }

    @Test("stdin passes through to the child and stdout is untouched")
    func stdio() throws {
        let (box, alice) = try Self.prepared()
        defer { box.remove() }
        // Binary input, including NUL and invalid UTF-8, large enough to need several pipe buffers.
        var input: [UInt8] = Array("first line\nsecond\r\n\u{0}\u{1}".utf8) + [0xff, 0xfe, 0x80]
        var generator = SystemRandomNumberGenerator()
        input += (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let result = try box.run(["exec", "-i", alice.path, "--", "cat"], stdin: input)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.count == input.count)
        #expect(result.stdout == input, "cat's output differs from the piped input")
        #expect(result.stderr.isEmpty, "\(result)")
        // The child can read stdin AND see the secrets.
        let both = try box.run(["exec", "-i", alice.path, "--", "sh", "-c", "read line; printf '%s:%s' \"$line\" \"$KEY\""],
                               stdin: Array("hello\n".utf8))
        #expect(both.status == 0, "\(both)")
        #expect(both.stdoutText == "hello:value with spaces, 'quotes' and $dollars")
        // stderr of the child is passed through as well.
        let err = try box.run(["exec", "-i", alice.path, "--", "sh", "-c", "printf out; printf err >&2"])
        #expect(err.stdoutText == "out" && err.stderr == "err", "\(err)")
    }

    @Test("loopseal exits with the command's own status", arguments: [0, 1, 7, 42, 255])
    func exitStatus(_ code: Int32) throws {
        let (box, alice) = try Self.prepared()
        defer { box.remove() }
        let result = try box.run(["exec", "-i", alice.path, "--", "sh", "-c", "exit \(code)"])
        #expect(!result.signaled)
        #expect(result.status == code, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
    }

    @Test("a command killed by a signal is reported as such")
    func signaled() throws {
        let (box, alice) = try Self.prepared()
        defer { box.remove() }
        let result = try box.run(["exec", "-i", alice.path, "--", "sh", "-c", "kill -TERM $$"])
        #expect(result.signaled && result.status == SIGTERM, "\(result)")
    }

    @Test("a missing program fails with a message")
    func missingProgram() throws {
        let (box, alice) = try Self.prepared()
        defer { box.remove() }
        for program in ["loopseal-no-such-program-\(UInt32.random(in: 0...UInt32.max))", "/nonexistent/dir/prog"] {
            let result = try box.run(["exec", "-i", alice.path, "--", program, "arg"])
            #expect(result.status != 0, "\(result)")
            #expect(result.stderrLines.count == 1, "\(result)")
            #expect(result.stderr.hasPrefix("loopseal: error:") && result.stderr.contains(program), "\(result)")
            #expect(result.stdout.isEmpty)
        }
        // No command at all is a usage error.
        let none = try box.run(["exec", "-i", alice.path, "--"])
        #expect(none.status == 2, "\(none)")
        // Without an identity nothing runs.
        let noIdentity = try box.run(["exec", "--", "sh", "-c", "printf ran"])
        #expect(noIdentity.status == 1 && noIdentity.stdout.isEmpty, "\(noIdentity)")
        #expect(noIdentity.stderr.contains("no identity"), "\(noIdentity)")
    }
}
