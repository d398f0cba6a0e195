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

    /// True when a value is stored.
    public var hasValue: Bool { value != nil }

    /// Creates a sealed secret.
    public init(id: String, key: String, value: [UInt8]?, recipients: [String: [UInt8]]) {
        self.id = id
        self.key = key
        self.value = value
        self.recipients = recipients
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
