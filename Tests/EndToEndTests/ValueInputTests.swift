import Foundation
import Testing

/// Issue 11, item 1: every way a value comes in (stdin, the hidden prompt, `run resume --fill`)
/// carries it byte for byte, or refuses it saying how to enter it; empty values need
/// `--allow-empty`. Prompts run on a real pseudo-terminal (Support/pty_session.py); stdin and
/// --fill are transcripts (`testdata/value_input_*.txt`).
@Suite("value input")
struct ValueInputTests {
    static let pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3S\n-----END PRIVATE KEY-----\n"

    /// Runs `loopseal args…` on a pseudo-terminal, playing `steps`.
    static func onTerminal(_ box: Sandbox, _ args: [String], _ steps: [[String: Any]], filePath: String = #filePath) throws -> RunResult {
        let script = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Support/pty_session.py").path
        let json = String(decoding: try JSONSerialization.data(withJSONObject: steps), as: UTF8.self)
        return try box.runner.runTool("/usr/bin/env", ["python3", script, json, "--", box.runner.binary] + args)
    }

    static func prepared(_ label: String) throws -> (Sandbox, Sandbox.Key) {
        let box = try Sandbox(label)
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        return (box, alice)
    }

    @Test("the hidden prompt keeps trailing spaces and tabs, and never echoes the value")
    func promptKeepsTheLineByteForByte() throws {
        let (box, alice) = try Self.prepared("input-line")
        defer { box.remove() }
        let value = "CANARY-\(UUID().uuidString)  \t "
        let result = try Self.onTerminal(box, ["set", "TOKEN"], [["expect": "Value for TOKEN: "], ["send": value + "\r"]])
        #expect(result.status == 0, "\(result)")
        #expect(!result.stdoutText.contains("CANARY-"), "the value was echoed: \(result)")
        #expect(try box.ok(["get", "TOKEN", "-i", alice.path]).stdoutText == value)
    }

    @Test("a paste with line breaks at the one-line prompt is refused, says how, and stores nothing")
    func promptRefusesAMultiLinePaste() throws {
        let (box, _) = try Self.prepared("input-paste")
        defer { box.remove() }
        let result = try Self.onTerminal(box, ["set", "TLS_KEY"], [["expect": "Value for TLS_KEY: "], ["send": Self.pem]])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdoutText.contains("--multiline"), "\(result)")
        #expect(result.stdoutText.contains("nothing was stored"), "\(result)")
        #expect(!result.stdoutText.contains("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), "\(result)")
        #expect(try box.keysJSON().isEmpty)
    }

    @Test("a line a terminal would cut (4095 bytes or more) is refused, never stored cut short")
    func longLinesAreRefused() throws {
        let (box, _) = try Self.prepared("input-long")
        defer { box.remove() }
        let long = String(repeating: "J", count: 5_000)
        let result = try Self.onTerminal(box, ["set", "JWT"], [["expect": "Value for JWT: "], ["send": long + "\r"]])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdoutText.contains("pipe it on stdin"), "\(result)")
        #expect(try box.keysJSON().isEmpty)
        try box.set("JWT", long)
    }

    @Test("--multiline reads until Ctrl-D and keeps every line break")
    func multilinePromptKeepsThePEM() throws {
        let (box, alice) = try Self.prepared("input-multi")
        defer { box.remove() }
        let result = try Self.onTerminal(box, ["set", "TLS_KEY", "--multiline"],
                                         [["expect": "Value for TLS_KEY: "], ["send": Self.pem], ["eof": true]])
        #expect(result.status == 0, "\(result)")
        #expect(try box.ok(["get", "TLS_KEY", "-i", alice.path]).stdoutText == Self.pem)
    }

    @Test("an empty value is refused at the prompt, saying how to store one")
    func emptyValuesNeedAllowEmptyAtThePrompt() throws {
        let (box, _) = try Self.prepared("input-empty")
        defer { box.remove() }
        let prompt = try Self.onTerminal(box, ["set", "BLANK"], [["expect": "Value for BLANK: "], ["send": "\r"]])
        #expect(prompt.status == 1 && prompt.stdoutText.contains("--allow-empty"), "\(prompt)")
        #expect(try box.keysJSON().isEmpty)
    }
}
