import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import Testing

@Suite("keygen as a use case")
struct KeyGenerationTests {
    @Test("an identity's file text reads back as the same key, with its public key and creation time as comments")
    func identity() throws {
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let key = try GeneratedKey(.identity, created: created)
        #expect(key.publicKey.hasPrefix("age1"))
        let lines = key.fileText.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines[3].isEmpty)
        #expect(lines[0] == "# created: 2023-11-14T22:13:20Z")
        #expect(lines[1] == "# public key: \(key.publicKey)")
        #expect(lines[2].hasPrefix("AGE-SECRET-KEY-1"))
        let parsed = try IdentityLoader.parse(key.fileText, source: "test")
        #expect(parsed.map(\.publicKey.description) == [key.publicKey])
    }

    @Test("a signing key's file text reads back as the same key")
    func signing() throws {
        let key = try GeneratedKey(.signing)
        #expect(key.publicKey.hasPrefix("loopsealsign1"))
        #expect(key.fileText.contains("\nLOOPSEAL-SIGNING-KEY-1"))
        #expect(try SigningKeyLoader.parse(key.fileText, source: "test").publicKey.description == key.publicKey)
        #expect(try GeneratedKey(.signing).publicKey != key.publicKey)
    }

    @Test("write makes the folder (0700) and the file (0600), and never overwrites")
    func write() throws {
        let scratch = try KitScratch()
        let key = try GeneratedKey(.identity)
        let file = "\(scratch.path)/new/folder/me.key"
        try key.write(to: file)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == key.fileText)
        #expect(try scratch.mode(file) == 0o600)
        #expect(try scratch.mode("\(scratch.path)/new/folder") == 0o700)
        let other = try GeneratedKey(.identity)
        #expect(throws: KitError.keyFileExists(path: file)) { try other.write(to: file) }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == key.fileText)
        #expect("\(KitError.keyFileExists(path: file))" == "\(file) already exists: choose another file or remove it first")
    }
}
