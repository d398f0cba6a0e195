import LoopsealCrypto

/// Seals and opens the values of one workspace (DESIGN.md §3): a fresh 32-byte data key and
/// nonce per write, the value encrypted with XChaCha20-Poly1305 under associated data
/// `loopseal/1/<workspace>/<KEY>`, and the data key sealed to every recipient.
public struct SecretSealer: Sendable {
    /// The workspace id bound into every ciphertext.
    public let workspaceID: String

    /// Creates a sealer for one workspace.
    public init(workspaceID: String) {
        self.workspaceID = workspaceID
    }

    /// The associated data for `key`.
    public func associatedData(for key: String) -> [UInt8] {
        Array("loopseal/1/\(workspaceID)/\(key)".utf8)
    }

    /// Seals `value` for `key` to `recipients`, keeping `id`.
    /// A value over ``FileLimits/value`` bytes is refused.
    public func seal(id: String, key: String, value: SecureBytes, to recipients: [PublicKey]) throws -> SealedSecret {
        guard value.count <= FileLimits.value else {
            throw StoreError.valueTooLarge(key: key, size: value.count, limit: FileLimits.value)
        }
        let dataKey = try SecureBytes.random(count: AEAD.keyBytes)
        let nonce = Random.bytes(AEAD.nonceBytes)
        let ciphertext = try AEAD.seal(value, key: dataKey, nonce: nonce, associatedData: associatedData(for: key))
        return SealedSecret(id: id, key: key, value: nonce + ciphertext, recipients: sealDataKey(dataKey, to: recipients))
    }

    /// Opens the data key of `secret` with the first identity that is one of its recipients.
    /// `names` maps `age1…` keys to recipient names for the error message.
    public func openDataKey(of secret: SealedSecret, identities: [Identity], file: String,
                            names: (String) -> String? = { _ in nil }) throws -> SecureBytes {
        for identity in identities {
            guard let sealed = secret.recipients[identity.publicKey.description] else { continue }
            do {
                return try SealedBox.open(sealed, with: identity)
            } catch {
                throw StoreError.openFailed(file: file, problem: "the data key sealed to \(names(identity.publicKey.description) ?? SealedRecipients.shortKey(identity.publicKey.description)) does not open: the file was tampered with or corrupted")
            }
        }
        let sealedTo = secret.recipients.keys.sorted()
        let listed = sealedTo.compactMap(names).sorted()
        throw StoreError.notARecipient(
            file: file,
            recipients: listed + sealedTo.filter { names($0) == nil }.map(SealedRecipients.shortKey),
            identities: identities.map { SealedRecipients.shortKey($0.publicKey.description) },
            listedAs: identities.compactMap { names($0.publicKey.description) },
            canRekey: listed)
    }

    /// Opens the value of `secret`.
    public func open(_ secret: SealedSecret, identities: [Identity], file: String,
                     names: (String) -> String? = { _ in nil }) throws -> SecureBytes {
        guard let value = secret.value else { throw StoreError.noValue(key: secret.key, file: file) }
        let dataKey = try openDataKey(of: secret, identities: identities, file: file, names: names)
        return try open(value: value, key: secret.key, dataKey: dataKey, file: file)
    }

    /// Decrypts a sealed value with its data key (from ``openDataKey(of:identities:file:names:)``).
    public func open(value: [UInt8], key: String, dataKey: SecureBytes, file: String) throws -> SecureBytes {
        guard value.count >= AEAD.nonceBytes + AEAD.tagBytes else {
            throw StoreError.openFailed(file: file, problem: "the value is truncated: the file was tampered with or corrupted")
        }
        do {
            return try AEAD.open(Array(value[AEAD.nonceBytes...]), key: dataKey,
                                 nonce: Array(value[..<AEAD.nonceBytes]), associatedData: associatedData(for: key))
        } catch {
            throw StoreError.openFailed(file: file, problem: "the value failed to authenticate: the file was tampered with, or its ciphertext belongs to another key or workspace")
        }
    }

    /// Re-seals the data key so exactly `recipients` can open it. Entries for recipients that
    /// stay are kept byte for byte; nil when the recipient set is already right.
    public func rekey(_ secret: SealedSecret, dataKey: SecureBytes, to recipients: [PublicKey]) -> SealedSecret? {
        let wanted = Set(recipients.map(\.description))
        guard secret.hasValue, Set(secret.recipients.keys) != wanted else { return nil }
        var updated = secret
        var entries: [String: [UInt8]] = [:]
        for recipient in recipients {
            let name = recipient.description
            entries[name] = secret.recipients[name] ?? SealedBox.seal(dataKey, to: recipient)
        }
        updated.recipients = entries
        return updated
    }

    private func sealDataKey(_ dataKey: SecureBytes, to recipients: [PublicKey]) -> [String: [UInt8]] {
        var entries: [String: [UInt8]] = [:]
        for recipient in recipients { entries[recipient.description] = SealedBox.seal(dataKey, to: recipient) }
        return entries
    }
}
