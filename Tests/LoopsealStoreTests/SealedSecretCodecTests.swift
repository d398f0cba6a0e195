import Foundation
import LoopsealCrypto
import Testing
@testable import LoopsealStore

@Suite struct SealedSecretCodecTests {
    private func randomSecret(_ rng: inout some RandomNumberGenerator) throws -> SealedSecret {
        let keyChars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
        let key = "K" + String((0..<Int.random(in: 0...30, using: &rng)).map { _ in keyChars.randomElement(using: &rng)! })
        let hasValue = Bool.random(using: &rng)
        var recipients: [String: [UInt8]] = [:]
        if hasValue {
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                recipients[try Identity.generate().publicKey.description] = (0..<80).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
        }
        let value: [UInt8]? = hasValue ? (0..<Int.random(in: 40...400, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) } : nil
        return SealedSecret(id: UUID().uuidString.lowercased(), key: key, value: value, recipients: recipients)
    }

    @Test func randomSecretsRoundTripAndBothParsersAgree() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let secret = try randomSecret(&rng)
            let bytes = SealedSecretCodec.encode(secret)
            #expect(try SealedSecretCodec.decode(bytes, file: "f") == secret)
            let fast = try #require(SealedSecretCodec.scan(bytes))
            let viaYAML = try SealedSecretCodec.parseYAML(bytes, file: "f")
            #expect(try SealedSecretCodec.build(fast, file: "f") == SealedSecretCodec.build(viaYAML, file: "f"))
            #expect(SealedSecretCodec.encode(try SealedSecretCodec.decode(bytes, file: "f")) == bytes)
        }
    }

    @Test func encodingIsCanonicalWithSortedRecipients() throws {
        let a = try Identity.generate().publicKey.description, b = try Identity.generate().publicKey.description
        let secret = SealedSecret(id: "6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20", key: "DATABASE_URL",
                                  value: [1, 2, 3], recipients: [a: [4], b: [5]])
        let text = String(decoding: SealedSecretCodec.encode(secret), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines[0].hasPrefix("# Sealed by loopseal."))
        #expect(lines[1] == "loopseal: 1")
        #expect(lines[2] == "id: 6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20")
        #expect(lines[3] == "key: DATABASE_URL")
        #expect(lines[4] == "value: AQID")
        #expect(lines[5] == "recipients:")
        #expect(lines[6...].map(String.init) == [a, b].sorted().map { "  \($0): \($0 == a ? "BA==" : "BQ==")" })
    }

    @Test func valuelessSecretHasNoValueNorRecipients() throws {
        let secret = SealedSecret(id: UUID().uuidString.lowercased(), key: "REQUESTED", value: nil, recipients: [:])
        let text = String(decoding: SealedSecretCodec.encode(secret), as: UTF8.self)
        #expect(!text.contains("value:"))
        #expect(!text.contains("recipients:"))
        #expect(try SealedSecretCodec.decode(Array(text.utf8), file: "f").hasValue == false)
    }

    @Test func reformattedFileStillReadsTheSame() throws {
        let good = try SealedSecretCodec.decode(try Fixture.bytes("good_two_recipients.sealed"), file: "good")
        #expect(SealedSecretCodec.scan(try Fixture.bytes("good_reformatted.sealed")) == nil)
        let reformatted = try SealedSecretCodec.decode(try Fixture.bytes("good_reformatted.sealed"), file: "reformatted")
        #expect(reformatted == good)
    }

    @Test func newerFormatIsRefusedNotIgnored() throws {
        let error = #expect(throws: StoreError.self) {
            try SealedSecretCodec.decode(try Fixture.bytes("fail_newer_format.sealed"), file: "x.sealed")
        }
        #expect(error == .newerFormat(file: "x.sealed", version: 3))
        #expect(error?.description.contains("newer loopseal") == true)
    }

    @Test func unknownFieldIsAnErrorWithItsPosition() throws {
        let error = #expect(throws: StoreError.self) {
            try SealedSecretCodec.decode(try Fixture.bytes("fail_unknown_field.sealed"), file: "x.sealed")
        }
        guard case .malformed(let file, let line, let column, let problem)? = error else {
            Issue.record("expected malformed, got \(String(describing: error))"); return
        }
        #expect(file == "x.sealed")
        #expect(line == 5)
        #expect(column == 1)
        #expect(problem.contains("unknown field 'comment'"))
    }

    @Test func badBase64NamesLineAndColumn() throws {
        let error = #expect(throws: StoreError.self) {
            try SealedSecretCodec.decode(try Fixture.bytes("fail_bad_base64.sealed"), file: "x.sealed")
        }
        #expect(error?.description.hasPrefix("x.sealed:5:8: value is not valid base64") == true)
    }

    @Test func invalidYAMLNamesLineAndColumn() throws {
        let error = #expect(throws: StoreError.self) {
            try SealedSecretCodec.decode(try Fixture.bytes("fail_not_yaml.sealed"), file: "x.sealed")
        }
        guard case .malformed(_, let line?, _?, let problem)? = error else {
            Issue.record("expected a positioned error, got \(String(describing: error))"); return
        }
        #expect(line == 3)
        #expect(problem.contains("invalid YAML"))
    }

    @Test func structuralProblemsAreReported() throws {
        let cases: [(String, String)] = [
            ("", "not a sealed secret file"),
            ("- a\n- b\n", "expected a mapping"),
            ("loopseal: 1\nkey: A\n", "missing 'id'"),
            ("loopseal: 1\nid: not-a-uuid\nkey: A\n", "'id' must be a UUID"),
            ("loopseal: 1\nid: 6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20\nkey: 9BAD\n", "invalid secret key"),
            ("loopseal: 1\nid: 6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20\nkey: A\nvalue: AQID\n", "without 'recipients'"),
            ("id: 6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20\nkey: A\n", "missing 'loopseal: 1'"),
            ("loopseal: 1\nloopseal: 1\n", "appears twice"),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: StoreError.self) { try SealedSecretCodec.decode(Array(text.utf8), file: "f") }
            #expect(error?.description.contains(expected) == true, "\(text.debugDescription) gave \(String(describing: error))")
        }
    }
}
