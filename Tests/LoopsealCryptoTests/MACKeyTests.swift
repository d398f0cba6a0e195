@testable import LoopsealCrypto
import Testing

@Suite("MAC keys")
struct MACKeyTests {
    let message = Array("v1.0123456789ab.csrf.1700000000".utf8)

    @Test("one identity and purpose give one key everywhere; another purpose or identity another key")
    func derivation() throws {
        let identity = try Identity.generate()
        let again = try Identity(string: identity.encodedSecretKey())
        let tag = try MACKey(identity: identity, purpose: "web-session").tag(message)
        #expect(tag.count == MACKey.tagLength)
        #expect(try MACKey(identity: again, purpose: "web-session").tag(message) == tag)
        #expect(try MACKey(identity: identity, purpose: "other").tag(message) != tag)
        #expect(try MACKey(identity: Identity.generate(), purpose: "web-session").tag(message) != tag)
    }

    @Test("the identity's secret is never the MAC key itself, nor the keyed hash's subkey for the same purpose")
    func separation() throws {
        let identity = try Identity.generate()
        let secret = identity.secretKey.withUnsafeBytes { Array($0) }
        let key = try MACKey(identity: identity, purpose: "web-session")
        #expect(key.tag(message) != Hash.blake2b(message, key: secret))
        let keyed = try identity.keyedHash(purpose: "web-session", context: [], message: SecureBytes(copying: message), length: 32)
        #expect(key.tag(message) != keyed)
    }

    @Test("verify accepts the tag and refuses any change to tag or message")
    func verify() throws {
        let key = try MACKey.random()
        let tag = key.tag(message)
        #expect(key.verify(tag, for: message))
        var flipped = tag
        flipped[0] ^= 1
        #expect(!key.verify(flipped, for: message))
        #expect(!key.verify(Array(tag.dropLast()), for: message))
        #expect(!key.verify(tag, for: message + [0]))
        #expect(!key.verify(tag, for: message.dropLast()))
        #expect(try !MACKey.random().verify(tag, for: message))
    }
}
