import LoopsealCrypto
import LoopsealStore

/// `loopseal set KEY --owner … --rotate-every …` and `loopseal meta KEY …`: a value and its
/// metadata, or the metadata alone (the sealed value stays byte for byte).
public enum SecretMetadataUpdate {
    /// Sets `key` to `value` (``SecretService/set(key:value:identities:)``: an unchanged value
    /// leaves the file alone) and then applies `edit`. `rotated` becomes today when the value
    /// was added or changed and the secret has metadata; an unchanged value does not move it.
    /// `edit` is checked by its parser before this is called, so bad flags write nothing.
    public static func set(key: String, value: SecureBytes, identities: [Identity], edit: MetadataEdit,
                           service: SecretService) throws -> SecretWriteOutcome {
        let outcome = try service.set(key: key, value: value, identities: identities)
        guard !edit.isEmpty else { return outcome }
        let valueChanged = outcome == .added || outcome == .changed
        let today = try service.today()
        try service.setMetadata(key: key) { metadata in
            metadata = edit.applied(to: metadata)
            if valueChanged && !metadata.isEmpty { metadata.rotated = today }
        }
        return outcome
    }

    /// Applies `edit` to the metadata of `key` without touching its value; returns the secret
    /// as stored.
    public static func meta(key: String, edit: MetadataEdit, service: SecretService) throws -> SealedSecret {
        try service.setMetadata(key: key) { $0 = edit.applied(to: $0) }
    }
}
