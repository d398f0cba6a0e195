import Foundation
import Testing

/// `loopseal exec -- CMD…`: the command gets the secrets in its environment and loopseal's
/// stdin, stdout and exit status are the command's own. The environment, exit statuses and
/// refusals are transcripts (`testdata/exec_*.txt`); raw bytes stay here.
@Suite("exec")
struct ExecTests {
    @Test("binary stdin of several pipe buffers passes through to the child byte for byte")
    func binaryStdin() throws {
        let box = try Sandbox("exec")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try box.set("KEY", "value")
        // Binary input, including NUL and invalid UTF-8, large enough to need several pipe buffers.
        var input: [UInt8] = Array("first line\nsecond\r\n\u{0}\u{1}".utf8) + [0xff, 0xfe, 0x80]
        var generator = SystemRandomNumberGenerator()
        input += (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let result = try box.run(["exec", "-i", alice.path, "--", "cat"], stdin: input)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.count == input.count)
        #expect(result.stdout == input, "cat's output differs from the piped input")
        #expect(result.stderr.isEmpty, "\(result)")
    }
}
