import Foundation
import Testing
@testable import LoopsealCrypto

@Suite struct SigningTests {
    @Test func signaturesVerifyOnlyForTheSameKeyAndBytes() throws {
        let key = try SigningKey.generate(), other = try SigningKey.generate()
        let message = Array("loopseal-signature/1\nworkspace: w\n".utf8)
        let signature = key.sign(message)
        #expect(signature.count == 64)
        #expect(key.sign(message) == signature, "Ed25519 is deterministic")
        #expect(key.publicKey.isValidSignature(signature, of: message))
        #expect(!other.publicKey.isValidSignature(signature, of: message))
        #expect(!key.publicKey.isValidSignature(signature, of: message + [0x0A]))
        #expect(!key.publicKey.isValidSignature(Array(signature.dropLast()), of: message))
        for index in [0, 31, 32, 63] {
            var flipped = signature
            flipped[index] ^= 1
            #expect(!key.publicKey.isValidSignature(flipped, of: message))
        }
    }

    @Test func keysRoundTripThroughTheirTextForms() throws {
        let key = try SigningKey.generate()
        let text = key.encodedSecretKey()
        #expect(text.hasPrefix("LOOPSEAL-SIGNING-KEY-1"))
        #expect(text == text.uppercased())
        let parsed = try SigningKey(string: "  \(text)\n")
        #expect(parsed.publicKey == key.publicKey)
        #expect(parsed.secretKey.constantTimeEquals(key.secretKey))
        let publicText = key.publicKey.description
        #expect(publicText.hasPrefix("loopsealsign1"))
        #expect(publicText.count == 71)
        #expect(try SigningPublicKey(string: publicText) == key.publicKey)
        #expect(try SigningPublicKey(string: publicText.uppercased()) == key.publicKey)
    }

    @Test func seedGivesTheRFC8032KeyPair() throws {
        // RFC 8032 §7.1, TEST 1.
        let seed = try SecureBytes(copying: hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        let key = try SigningKey(seed: seed)
        #expect(key.publicKey.bytes == hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        #expect(key.sign([]) == hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                                    + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"))
    }

    @Test func wrongKindsOfKeyAreRejected() throws {
        let identity = try Identity.generate()
        let signing = try SigningKey.generate()
        #expect(throws: CryptoError.self) { try SigningPublicKey(string: identity.publicKey.description) }
        #expect(throws: CryptoError.self) { try SigningKey(string: identity.encodedSecretKey()) }
        #expect(throws: CryptoError.self) { try PublicKey(string: signing.publicKey.description) }
        #expect(throws: CryptoError.self) { try Identity(string: signing.encodedSecretKey()) }
        var typo = Array(signing.publicKey.description)
        typo[20] = typo[20] == "q" ? "p" : "q"
        #expect(throws: CryptoError.self) { try SigningPublicKey(string: String(typo)) }
        let short = Bech32.encode(hrp: "loopsealsign", data: Array(signing.publicKey.bytes.prefix(31)))
        #expect(throws: CryptoError.self) { try SigningPublicKey(string: short) }
    }

    @Test func anInvalidPointIsNotASigningKey() {
        // The encoding of y = 2 is not a point libsodium accepts as a public key.
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes[0] = 2
        let error = #expect(throws: CryptoError.self) { try SigningPublicKey(bytes: bytes) }
        #expect(error?.description.contains("not a valid Ed25519 public key") == true)
    }

    private func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}
