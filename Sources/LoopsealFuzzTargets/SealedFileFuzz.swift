import LoopsealCrypto
import LoopsealStore

/// `SealedSecretCodec.decode` on any bytes. A file that decodes must survive a round trip:
/// `encode` writes it canonically, and decoding that gives the same secret and the same bytes.
/// Writer signatures are checked against the test vectors' writer (workspace `acme-prod`), and
/// the verdict must not change across the round trip.
public enum SealedFileFuzz {
    static let signatures: WriterSignatures = {
        guard let key = try? SigningPublicKey(string: "loopsealsign1cecce9rvrdjgxep5v5kqr6qutfte5djvfhed0jype43x2wmjmldq4nerdy") else {
            fatalError("cannot parse the fixed fuzz writer key")
        }
        return WriterSignatures(workspaceID: "acme-prod", writers: [Writer(name: "ci", publicKey: key)])
    }()

    /// Runs one input.
    public static func run(_ bytes: [UInt8]) {
        let secret: SealedSecret
        do {
            secret = try SealedSecretCodec.decode(bytes, file: "fuzz.sealed")
        } catch {
            FuzzCheck.require(!"\(error)".isEmpty, "an error without a message")
            return
        }
        let verified = (try? signatures.verify(secret, file: "fuzz.sealed")) != nil
        let encoded = SealedSecretCodec.encode(secret)
        do {
            let again = try SealedSecretCodec.decode(encoded, file: "fuzz.sealed")
            FuzzCheck.require(again == secret, "decode(encode(s)) differs from s")
            FuzzCheck.require(SealedSecretCodec.encode(again) == encoded, "encode is not stable")
            FuzzCheck.require(((try? signatures.verify(again, file: "fuzz.sealed")) != nil) == verified,
                              "the signature verdict changed in a round trip")
        } catch {
            FuzzCheck.require(false, "the canonical encoding of a decoded file does not decode: \(error)")
        }
    }
}
