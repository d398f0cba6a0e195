import Foundation
import LoopsealCrypto
import Testing
@testable import LoopsealStore

/// The `signature:` mapping in both parsers: round trips, and malformed entries as file:line:column errors.
@Suite struct SignedFileCodecTests {
    private func signedSecret(value: Bool = true) throws -> SealedSecret {
        let recipients = value ? [try Identity.generate().publicKey.description: [UInt8](repeating: 7, count: 80)] : [:]
        let secret = SealedSecret(id: UUID().uuidString.lowercased(), key: "SIGNED", value: value ? [1, 2, 3] : nil, recipients: recipients)
        return WriterSignatures(workspaceID: "w", writers: []).sign(secret, with: try SigningKey.generate())
    }

    @Test func signedFilesRoundTripAndBothParsersAgree() throws {
        for value in [true, false] {
            let secret = try signedSecret(value: value)
            let bytes = SealedSecretCodec.encode(secret)
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.hasSuffix("signature:\n  writer: \(secret.signature?.writer.description ?? "")\n  ed25519: \(Data(secret.signature?.ed25519 ?? []).base64EncodedString())\n"))
            #expect(try SealedSecretCodec.decode(bytes, file: "f") == secret)
            let fast = try #require(SealedSecretCodec.scan(bytes))
            #expect(try SealedSecretCodec.build(fast, file: "f") == SealedSecretCodec.build(try SealedSecretCodec.parseYAML(bytes, file: "f"), file: "f"))
            #expect(SealedSecretCodec.encode(try SealedSecretCodec.decode(bytes, file: "f")) == bytes)
        }
    }

    @Test func aReformattedSignedFileReadsTheSame() throws {
        let secret = try signedSecret()
        let recipient = try #require(secret.recipients.first)
        let signature = try #require(secret.signature)
        let text = """
            signature: {ed25519: "\(Data(signature.ed25519).base64EncodedString())", writer: \(signature.writer)}
            key: "SIGNED"
            loopseal: 1
            id: \(secret.id.uppercased())
            recipients:
                \(recipient.key): \(Data(recipient.value).base64EncodedString())
            value: AQID

            """
        #expect(SealedSecretCodec.scan(Array(text.utf8)) == nil)
        #expect(try SealedSecretCodec.decode(Array(text.utf8), file: "f") == secret)
    }

    @Test func malformedSignaturesArePositionedErrors() throws {
        let secret = try signedSecret()
        let good = String(decoding: SealedSecretCodec.encode(secret), as: UTF8.self)
        let writer = try #require(secret.signature?.writer.description)
        let sig = Data(try #require(secret.signature?.ed25519)).base64EncodedString()
        let signatureLine = good.split(separator: "\n").count - 2
        func replacing(_ old: String, _ new: String) -> String { good.replacingOccurrences(of: old, with: new) }
        var typo = Array(writer)
        typo[20] = typo[20] == "q" ? "p" : "q"
        let cases: [(String, String)] = [
            (replacing("  ed25519: \(sig)\n", ""), "f:\(signatureLine):1: 'signature' must hold both 'writer' and 'ed25519'"),
            (replacing("  writer: ", "  signer: "), "f:\(signatureLine + 1):3: unknown signature field 'signer' (known: writer, ed25519)"),
            (replacing("  ed25519: \(sig)", "  ed25519: \(sig)\n  writer: \(writer)"), "signature field 'writer' appears twice"),
            (replacing(writer, String(typo)), "f:\(signatureLine + 1):11: signature writer must be a loopsealsign1… public key (has a bad checksum"),
            (replacing(sig, "AQID"), "f:\(signatureLine + 2):12: signature must be 64 bytes, got 3"),
            (replacing(sig, "not*base64"), "f:\(signatureLine + 2):12: signature is not valid base64"),
            (replacing("signature:\n  writer: \(writer)\n  ed25519: \(sig)\n", "signature: yes\n"), "f:\(signatureLine):12: 'signature' must map 'writer' and 'ed25519'"),
            (good + "signature:\n  writer: \(writer)\n", "key 'signature' appears twice in this mapping"),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: StoreError.self) { try SealedSecretCodec.decode(Array(text.utf8), file: "f") }
            #expect(error?.description.hasPrefix(expected) == true || error?.description.contains(expected) == true,
                    "\(expected) <- got \(String(describing: error))")
        }
    }

    @Test func base64HasOneSpellingSoSignedBytesMatchTheFile() throws {
        let recipient = try Identity.generate().publicKey.description
        func file(_ value: String) -> [UInt8] {
            Array("loopseal: 1\nid: 6f1c0f6e-2a34-4d0e-9a53-3c0d7f1a9b20\nkey: K\nvalue: \(value)\nrecipients:\n  \(recipient): AQID\n".utf8)
        }
        #expect(try SealedSecretCodec.decode(file("AQI="), file: "f").value == [1, 2])
        #expect(try SealedSecretCodec.decode(file("AQ=="), file: "f").value == [1])
        #expect(try SealedSecretCodec.decode(file("/w=="), file: "f").value == [0xFF])
        for spelling in ["AQJ=", "AR==", "/x==", "AQI", "AQ I="] {
            let error = #expect(throws: StoreError.self) { try SealedSecretCodec.decode(file(spelling), file: "f") }
            #expect(error?.description.contains("value is not valid base64") == true, "\(spelling): \(String(describing: error))")
        }
    }

    @Test func recipientsMustBeBech32SoTheSignedLinesStayUnambiguous() throws {
        let secret = try signedSecret()
        let good = String(decoding: SealedSecretCodec.encode(secret), as: UTF8.self)
        let recipient = try #require(secret.recipients.keys.first)
        for bad in ["age1ABC", "age1bio", "\"\(recipient): AAAA\\n  age1q\""] {
            let text = good.replacingOccurrences(of: "  \(recipient):", with: "  \(bad):")
            let error = #expect(throws: StoreError.self) { try SealedSecretCodec.decode(Array(text.utf8), file: "f") }
            #expect(error?.description.contains("recipient must be an age1… public key") == true, "\(bad): \(String(describing: error))")
        }
    }
}
