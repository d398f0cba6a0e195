import LoopsealCrypto

/// One secret as stored in `secrets/<KEY>.sealed` (format 1). Holds only ciphertext.
public struct SealedSecret: Sendable, Equatable {
    /// Stable identifier, kept across updates and rekeys.
    public var id: String
    /// The environment-variable name.
    public var key: String
    /// `nonce[24] || XChaCha20-Poly1305 ciphertext+tag`, or nil for a requested, valueless secret.
    public var value: [UInt8]?
    /// `age1…` recipient -> `crypto_box_seal(data key)`. Empty when there is no value.
    public var recipients: [String: [UInt8]]
    /// A writer's signature over the file's content; nil when unsigned (docs/FORMAT.md §8).
    public var signature: Signature?

    /// True when a value is stored.
    public var hasValue: Bool { value != nil }

    /// Creates a sealed secret.
    public init(id: String, key: String, value: [UInt8]?, recipients: [String: [UInt8]], signature: Signature? = nil) {
        self.id = id
        self.key = key
        self.value = value
        self.recipients = recipients
        self.signature = signature
    }

    /// The `signature:` mapping of a sealed file: who signed and the Ed25519 signature.
    public struct Signature: Sendable, Equatable {
        /// The writer's public key.
        public var writer: SigningPublicKey
        /// The 64-byte Ed25519 signature of ``WriterSignatures/signedBytes(of:workspaceID:writer:)``.
        public var ed25519: [UInt8]

        /// Creates a signature entry.
        public init(writer: SigningPublicKey, ed25519: [UInt8]) {
            self.writer = writer
            self.ed25519 = ed25519
        }
    }
}

/// What listings show about a secret: never its value.
public struct SecretKeyInfo: Sendable, Equatable, Codable {
    /// Stable identifier.
    public var id: String
    /// The environment-variable name.
    public var key: String
    /// True when a value is stored.
    public var hasValue: Bool

    /// Creates a listing item.
    public init(id: String, key: String, hasValue: Bool) {
        self.id = id
        self.key = key
        self.hasValue = hasValue
    }
}

extension SealedSecret {
    /// The listing view of this secret.
    public var info: SecretKeyInfo { SecretKeyInfo(id: id, key: key, hasValue: hasValue) }
}
