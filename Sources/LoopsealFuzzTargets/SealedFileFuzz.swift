import LoopsealStore

/// `SealedSecretCodec.decode` on any bytes. A file that decodes must survive a round trip:
/// `encode` writes it canonically, and decoding that gives the same secret and the same bytes.
public enum SealedFileFuzz {
    /// Runs one input.
    public static func run(_ bytes: [UInt8]) {
        let secret: SealedSecret
        do {
            secret = try SealedSecretCodec.decode(bytes, file: "fuzz.sealed")
        } catch {
            FuzzCheck.require(!"\(error)".isEmpty, "an error without a message")
            return
        }
        let encoded = SealedSecretCodec.encode(secret)
        do {
            let again = try SealedSecretCodec.decode(encoded, file: "fuzz.sealed")
            FuzzCheck.require(again == secret, "decode(encode(s)) differs from s")
            FuzzCheck.require(SealedSecretCodec.encode(again) == encoded, "encode is not stable")
        } catch {
            FuzzCheck.require(false, "the canonical encoding of a decoded file does not decode: \(error)")
        }
    }
}
