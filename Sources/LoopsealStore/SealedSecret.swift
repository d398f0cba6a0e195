import LoopsealCrypto

/// One secret as stored in `secrets/<KEY>.sealed` (format 1, or 2 with metadata). Holds only ciphertext.
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
    /// Owner, due dates, last rotation and description; empty in a format-1 file.
    public var metadata: SecretMetadata

    /// True when a value is stored.
    public var hasValue: Bool { value != nil }

    /// The key a sealed file's path names (`…/KEY.sealed`), or nil when it names none.
    public static func key(ofFile path: String) -> String? {
        guard let name = path.split(separator: "/").last, name.hasSuffix(".sealed") else { return nil }
        let key = String(name.dropLast(7))
        return Names.isValidKey(key) ? key : nil
    }

    /// Creates a sealed secret.
    public init(id: String, key: String, value: [UInt8]?, recipients: [String: [UInt8]], signature: Signature? = nil,
                metadata: SecretMetadata = SecretMetadata()) {
        self.id = id
        self.key = key
        self.value = value
        self.recipients = recipients
        self.signature = signature
        self.metadata = metadata
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
    /// Stable identifier ("" when the file could not be read).
    public var id: String
    /// The environment-variable name.
    public var key: String
    /// True when a value is stored; false, and unknown, when ``problem`` is set.
    public var hasValue: Bool
    /// Why the file could not be read (a merge conflict, a parse error), or nil.
    public var problem: String?
    /// True when the file is in merge conflict (`loopseal resolve` settles it).
    public var conflict: Bool
    /// Owner, due dates, last rotation and description (empty when the file has none).
    public var metadata: SecretMetadata

    /// Creates a listing item.
    public init(id: String, key: String, hasValue: Bool, problem: String? = nil, conflict: Bool = false,
                metadata: SecretMetadata = SecretMetadata()) {
        self.id = id
        self.key = key
        self.hasValue = hasValue
        self.problem = problem
        self.conflict = conflict
        self.metadata = metadata
    }

    /// A file that could not be read: `id` and `hasValue` are unknown.
    public static func unreadable(key: String, problem: String, conflict: Bool = false) -> SecretKeyInfo {
        SecretKeyInfo(id: "", key: key, hasValue: false, problem: problem, conflict: conflict)
    }

    private enum CodingKeys: String, CodingKey { case id, key, hasValue, problem, conflict, owner, expires, rotateEvery, rotated, description }

    /// `{"id", "key", "hasValue"}` and, when set, `"owner"`, `"expires"`, `"rotateEvery"`,
    /// `"rotated"` and `"description"` (dates `YYYY-MM-DD`, the period as written: `90d`); an
    /// unreadable file has `"id": null`, `"hasValue": null` and a `"problem"`, and a file in
    /// merge conflict also `"conflict": true`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        if let problem {
            try container.encodeNil(forKey: .id)
            try container.encodeNil(forKey: .hasValue)
            try container.encode(problem, forKey: .problem)
            if conflict { try container.encode(true, forKey: .conflict) }
        } else {
            try container.encode(id, forKey: .id)
            try container.encode(hasValue, forKey: .hasValue)
            try container.encodeIfPresent(metadata.owner, forKey: .owner)
            try container.encodeIfPresent(metadata.expires?.description, forKey: .expires)
            try container.encodeIfPresent(metadata.rotateEvery?.description, forKey: .rotateEvery)
            try container.encodeIfPresent(metadata.rotated?.description, forKey: .rotated)
            try container.encodeIfPresent(metadata.description, forKey: .description)
        }
    }

    /// Reads what ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        problem = try container.decodeIfPresent(String.self, forKey: .problem)
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
        hasValue = try container.decodeIfPresent(Bool.self, forKey: .hasValue) ?? false
        conflict = try container.decodeIfPresent(Bool.self, forKey: .conflict) ?? false
        metadata = SecretMetadata(
            owner: try container.decodeIfPresent(String.self, forKey: .owner),
            expires: try container.decodeIfPresent(String.self, forKey: .expires).flatMap(CalendarDate.init(string:)),
            rotateEvery: try container.decodeIfPresent(String.self, forKey: .rotateEvery).flatMap(RotationPeriod.init(string:)),
            rotated: try container.decodeIfPresent(String.self, forKey: .rotated).flatMap(CalendarDate.init(string:)),
            description: try container.decodeIfPresent(String.self, forKey: .description))
    }
}

extension SealedSecret {
    /// The listing view of this secret.
    public var info: SecretKeyInfo { SecretKeyInfo(id: id, key: key, hasValue: hasValue, metadata: metadata) }
}
