import Foundation
import LoopsealCrypto
@testable import LoopsealStore
import LoopsealSystem
import Testing

/// Files Loopseal writes open with another libsodium binding (PyNaCl), following DESIGN.md §3.
@Suite struct InteropTests {
    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/pynacl_open.py").path
    }

    @Test func pynaclOpensLoopsealSealedFiles() throws {
        let ws = try TempWorkspace(recipients: 2)
        let values = ["PLAIN": "hello", "QUOTES": "it's \"quoted\"", "UNICODE": "héllo ✓ 日本", "EMPTY": "",
                      "MULTILINE": "-----BEGIN KEY-----\nabc\n-----END KEY-----\n"]
        for (key, value) in values { try ws.service.upsert(key: key, value: try secure(value)) }
        for identity in [ws.alice, ws.bob] {
            let outcome = try ChildProcess.run(
                ["python3", Self.scriptPath, "test"] + (try values.keys.sorted().map { try ws.path($0) }),
                input: Array((identity.encodedSecretKey() + "\n").utf8))
            try #require(outcome.status == 0 && !outcome.signaled,
                         "PyNaCl could not open the files (pip install pynacl pyyaml): \(outcome.errorText)")
            let decoded = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout)) as? [String: String])
            #expect(decoded == values)
        }
    }
}
