import LoopsealCrypto
import Testing

@Suite("secure C strings")
struct SecureCStringsTests {
    @Test("each entry is prefix + value + NUL, in order; wipe empties it")
    func builds() throws {
        let strings = try SecureCStrings([
            (prefix: "A=", value: try SecureBytes(copying: Array("one".utf8))),
            (prefix: "EMPTY=", value: try SecureBytes(copying: [UInt8]())),
        ])
        #expect(strings.pointers.map { String(cString: $0) } == ["A=one", "EMPTY="])
        strings.wipe()
        #expect(strings.pointers.isEmpty)
        strings.wipe()
    }

    @Test("a value with a NUL byte is refused, naming the prefix only")
    func refusesNUL() throws {
        let value = try SecureBytes(copying: Array("se\0cret".utf8))
        #expect(throws: CryptoError.embeddedNUL(prefix: "K=")) { try SecureCStrings([(prefix: "K=", value: value)]) }
    }
}
