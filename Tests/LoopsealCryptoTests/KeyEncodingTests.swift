import Foundation
@testable import LoopsealCrypto
import LoopsealSystem
import Testing

@Suite struct KeyEncodingTests {
    @Test func bech32AcceptsBIP173ValidVectors() throws {
        for vector in ["A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                       "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"] {
            let decoded = try Bech32.decode(vector)
            #expect(decoded.hrp == String(vector.lowercased()[..<vector.lowercased().lastIndex(of: "1")!]))
        }
    }

    @Test func bech32RejectsBIP173InvalidVectors() {
        for vector in ["A1G7SGD8", "10a06t8", "1qzzfhee", "a12UEL5L", "x1b4n0q5v", "pzry9x0s0muk"] {
            #expect(throws: CryptoError.self) { try Bech32.decode(vector) }
        }
    }

    @Test func publicKeyRoundTripsThroughAgeEncoding() throws {
        for _ in 0..<50 {
            let key = try Identity.generate().publicKey
            let text = key.description
            #expect(text.hasPrefix("age1"))
            #expect(text.count == 62)
            #expect(try PublicKey(string: text) == key)
            #expect(try PublicKey(string: text.uppercased()) == key)
        }
    }

    @Test func identityRoundTripsThroughAgeSecretKeyEncoding() throws {
        let identity = try Identity.generate()
        let text = identity.encodedSecretKey()
        #expect(text.hasPrefix("AGE-SECRET-KEY-1"))
        #expect(text == text.uppercased())
        let parsed = try Identity(string: "  \(text)\n")
        #expect(parsed.publicKey == identity.publicKey)
        #expect(parsed.secretKey.constantTimeEquals(identity.secretKey))
    }

    @Test func everySingleCharacterTypoInARecipientIsCaught() throws {
        let text = try Identity.generate().publicKey.description
        let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l")
        var chars = Array(text)
        for index in 4..<chars.count {
            let original = chars[index]
            chars[index] = alphabet.first { $0 != original }!
            #expect(throws: CryptoError.self) { try PublicKey(string: String(chars)) }
            chars[index] = original
        }
    }

    @Test func badChecksumSaysSo() throws {
        var text = Array(try Identity.generate().publicKey.description)
        text[text.count - 1] = text[text.count - 1] == "q" ? "p" : "q"
        let error = #expect(throws: CryptoError.self) { try PublicKey(string: String(text)) }
        #expect(error?.description.contains("checksum") == true)
    }

    @Test func wrongKindsOfKeyAreRejected() throws {
        let identity = try Identity.generate()
        #expect(throws: CryptoError.self) { try PublicKey(string: identity.encodedSecretKey()) }
        #expect(throws: CryptoError.self) { try Identity(string: identity.publicKey.description) }
        #expect(throws: CryptoError.self) { try PublicKey(string: "age1") }
        #expect(throws: CryptoError.self) { try PublicKey(string: "Age1" + identity.publicKey.description.dropFirst(4)) }
        let short = Bech32.encode(hrp: "age", data: [UInt8](repeating: 1, count: 31))
        #expect(throws: CryptoError.self) { try PublicKey(string: short) }
    }

    @Test func derivesTheSamePublicKeyAsAgeKeygen() throws {
        let ageKeygen = "/usr/bin/age-keygen"
        try #require(FileManager.default.isExecutableFile(atPath: ageKeygen),
                     "age-keygen is missing: apt-get install age (make test installs it)")
        for _ in 0..<5 {
            let output = String(decoding: try ChildProcess.run([ageKeygen]).stdout, as: UTF8.self)
            let lines = output.split(separator: "\n")
            let publicLine = try #require(lines.first { $0.hasPrefix("# public key: ") })
            let secretLine = try #require(lines.first { $0.hasPrefix("AGE-SECRET-KEY-1") })
            let identity = try Identity(string: String(secretLine))
            #expect(identity.publicKey.description == publicLine.dropFirst("# public key: ".count))
        }
    }
}
