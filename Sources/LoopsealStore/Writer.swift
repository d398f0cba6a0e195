import LoopsealCrypto

/// A named holder of an Ed25519 signing key listed under `writers:` in `workspace.yaml`.
public struct Writer: Sendable, Equatable {
    /// The name people know the key by (`alice`, `ci-deploy`).
    public var name: String
    /// The key whose signatures readers accept.
    public var publicKey: SigningPublicKey

    /// Creates a writer.
    public init(name: String, publicKey: SigningPublicKey) {
        self.name = name
        self.publicKey = publicKey
    }
}
