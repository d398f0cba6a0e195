import LoopsealCrypto
import LoopsealDiagnostics
import LoopsealKit
import LoopsealStore
import LoopsealSync
import LoopsealTemplates
import LoopsealValue
import LoopsealWorkflows
import Testing

/// Every module's errors share one shape, so each adapter renders them in one place.
@Suite("error model")
struct ErrorModelTests {
    @Test("errors from every layer are LoopsealErrors, with file and position where they have one")
    func oneShape() throws {
        let malformed: Error = StoreError.malformed(file: "workspace.yaml", line: 3, column: 7, problem: "bad")
        let store = try #require(malformed as? LoopsealError)
        #expect(store.file == "workspace.yaml")
        #expect(store.position == SourcePosition(line: 3, column: 7))
        #expect(!store.isUsageError)
        let json: Error
        do { _ = try TemplateValue(jsonText: "{\n  \"a\": }"); return } catch { json = error }
        #expect((json as? LoopsealError)?.position == SourcePosition(line: 2, column: 8))
        let others: [Error] = [CryptoError.allocationFailed, KitError.lastRecipient(name: "a"),
                               TemplateError(kind: .parse, template: "t", line: 1, column: 2, message: "m"),
                               FormatError.invalidOption(format: "dotenv", option: "x", reason: "r"),
                               RunServiceError.notWaiting(id: "r", status: .completed)]
        for error in others { #expect(error is LoopsealError, "\(type(of: error))") }
    }

    @Test("untrusted text is one safe line, cut at the limit")
    func untrustedText() {
        #expect(UntrustedText.display("a\nb\u{1b}[31m") == "a?b?[31m")
        #expect(UntrustedText.display(String(repeating: "x", count: 70)) == String(repeating: "x", count: 60) + "…")
        #expect(UntrustedText.display(String(repeating: "x", count: 70), limit: 80).count == 70)
        #expect(SourcePosition.location("f", line: 2, column: nil) == "f:2")
        #expect(SourcePosition.location("f", line: nil, column: nil) == "f")
    }
}
