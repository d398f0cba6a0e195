import LoopsealCrypto
import Testing
@testable import LoopsealGit
import LoopsealStore

/// Public keys in `workspace.yaml` are never reported by the pre-commit hook's token scan: a
/// random bech32 key can contain a secret word ("key") and so name a secret on its own line,
/// which failed a commit of a freshly initialised workspace about once in a few hundred keys.
@Suite struct PublicKeyFindingTests {
    @Test func recipientAndWriterKeysAreNotFindings() throws {
        for _ in 0..<300 {
            let recipient = try Identity.generate().publicKey.description
            let writer = try SigningKey.generate().publicKey.description
            for line in ["  alice: \(recipient)", "  secret-key-holder: \(recipient)", "  token-writer: \(writer)"] {
                #expect(TokenDetector.scan(line: Array(line.utf8)).isEmpty, "\(line)")
            }
        }
        // A string that only looks like one still counts.
        let forged = "password: age1" + String(repeating: "q", count: 20) + "Zx9Kp2LmN8vB4cR7tY1wE6uI3oA5sD0f"
        #expect(!TokenDetector.scan(line: Array(forged.utf8)).isEmpty)
    }
}
