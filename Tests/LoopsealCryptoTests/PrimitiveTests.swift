import Testing
@testable import LoopsealCrypto

@Suite struct PrimitiveTests {
    private func bytes(_ text: String) throws -> SecureBytes { try SecureBytes(copying: Array(text.utf8)) }
    private func string(_ bytes: SecureBytes) -> String { bytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    @Test func sealedBoxOpensOnlyForItsRecipient() throws {
        let alice = try Identity.generate(), mallory = try Identity.generate()
        let box = SealedBox.seal(try bytes("data key"), to: alice.publicKey)
        #expect(box.count == 8 + SealedBox.overhead)
        #expect(string(try SealedBox.open(box, with: alice)) == "data key")
        #expect(throws: CryptoError.sealedBoxOpenFailed) { try SealedBox.open(box, with: mallory) }
    }

    @Test func sealedBoxDetectsEveryFlippedByte() throws {
        let alice = try Identity.generate()
        let box = SealedBox.seal(try SecureBytes.random(count: 32), to: alice.publicKey)
        for index in box.indices {
            var tampered = box
            tampered[index] ^= 0x01
            #expect(throws: CryptoError.self) { try SealedBox.open(tampered, with: alice) }
        }
        #expect(throws: CryptoError.self) { try SealedBox.open(Array(box.dropLast()), with: alice) }
        #expect(throws: CryptoError.self) { try SealedBox.open([], with: alice) }
    }

    @Test func aeadRoundTripsIncludingEmptyValues() throws {
        let key = try SecureBytes.random(count: AEAD.keyBytes)
        for text in ["", "x", String(repeating: "long value ", count: 1000), "ünïcødé ✓"] {
            let nonce = Random.bytes(AEAD.nonceBytes)
            let sealed = try AEAD.seal(try bytes(text), key: key, nonce: nonce, associatedData: Array("ad".utf8))
            #expect(sealed.count == text.utf8.count + AEAD.tagBytes)
            #expect(string(try AEAD.open(sealed, key: key, nonce: nonce, associatedData: Array("ad".utf8))) == text)
        }
    }

    @Test func aeadRejectsWrongAssociatedDataKeyNonceAndTampering() throws {
        let key = try SecureBytes.random(count: AEAD.keyBytes)
        let nonce = Random.bytes(AEAD.nonceBytes)
        let ad = Array("loopseal/1/ws/A".utf8)
        let sealed = try AEAD.seal(try bytes("secret"), key: key, nonce: nonce, associatedData: ad)
        #expect(throws: CryptoError.authenticationFailed) {
            try AEAD.open(sealed, key: key, nonce: nonce, associatedData: Array("loopseal/1/ws/B".utf8))
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try AEAD.open(sealed, key: try SecureBytes.random(count: AEAD.keyBytes), nonce: nonce, associatedData: ad)
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try AEAD.open(sealed, key: key, nonce: Random.bytes(AEAD.nonceBytes), associatedData: ad)
        }
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x80
            #expect(throws: CryptoError.authenticationFailed) { try AEAD.open(tampered, key: key, nonce: nonce, associatedData: ad) }
        }
    }

    @Test func aeadChecksSizes() throws {
        #expect(throws: CryptoError.self) {
            try AEAD.seal(try bytes("x"), key: try SecureBytes.random(count: 16), nonce: Random.bytes(AEAD.nonceBytes), associatedData: [])
        }
        #expect(throws: CryptoError.self) {
            try AEAD.seal(try bytes("x"), key: try SecureBytes.random(count: 32), nonce: Random.bytes(12), associatedData: [])
        }
    }

    @Test func secureBytesCompareInConstantTimeAndRandomnessDiffers() throws {
        let a = try bytes("same"), b = try bytes("same"), c = try bytes("diff")
        #expect(a.constantTimeEquals(b))
        #expect(!a.constantTimeEquals(c))
        #expect(!a.constantTimeEquals(try bytes("same!")))
        #expect(try SecureBytes(copying: []).constantTimeEquals(try SecureBytes(copying: [])))
        #expect(Random.bytes(24) != Random.bytes(24))
        #expect(!(try SecureBytes.random(count: 32)).constantTimeEquals(try SecureBytes.random(count: 32)))
    }
}
