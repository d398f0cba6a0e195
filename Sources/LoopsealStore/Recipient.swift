import LoopsealCrypto

/// A named holder of an X25519 public key listed in `workspace.yaml`.
public struct Recipient: Sendable, Equatable {
    /// The name people know the key by (`alice`, `ci-deploy`).
    public var name: String
    /// The key values are sealed to.
    public var publicKey: PublicKey

    /// Creates a recipient.
    public init(name: String, publicKey: PublicKey) {
        self.name = name
        self.publicKey = publicKey
    }
}
