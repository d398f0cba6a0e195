import Foundation
@testable import LoopsealSync
import Testing

/// What a failing command or ssh target echoed is shown only after every form of a secret value
/// a payload carries is replaced: the value itself, its base64 (`k8s`), its JSON escape
/// (`json`, `yaml`) and each line of a multi-line value.
@Suite struct RedactionTests {
    @Test("a value echoed raw, in base64 (padded or not), JSON-escaped or line by line is redacted")
    func encodedForms() {
        let value = "canary \"quoted\"\nsecond line é"
        let bytes = Array(value.utf8)
        let base64 = Data(bytes).base64EncodedString()
        let echoes = [
            "stdin was: \(value)",
            "data:\n  API_KEY: \(base64)",
            "unpadded \(base64.trimmingCharacters(in: CharacterSet(charactersIn: "=")))",
            #"{"API_KEY": "canary \"quoted\"\nsecond line é"}"#,
            "tail: second line é",
        ]
        for echo in echoes {
            let shown = redact(echo, [bytes])
            #expect(shown.contains("[redacted]"), "\(echo) -> \(shown)")
            #expect(!shown.contains("canary") && !shown.contains("second line") && !shown.contains(base64.prefix(12)), "\(echo) -> \(shown)")
        }
    }

    @Test("values shorter than 4 bytes are left alone (they would redact ordinary words)")
    func shortValues() {
        #expect(redact("exit status 1: abc", [Array("abc".utf8)]) == "exit status 1: abc")
    }
}
