import LoopsealCrypto

extension SecretService {
    /// Decrypts the value of `key` as ``reveal(key:identities:)`` does, and says who its file is
    /// sealed to beside `workspace.yaml`'s recipients, from the same read (for a warning when
    /// they differ). Nothing else is read.
    public func revealSealed(key: String, identities: [Identity]) throws -> (value: SecureBytes, sealing: SealedRecipients) {
        guard let secret = try find(key: key) else {
            throw StoreError.secretNotFound(key: key, workspace: workspace.id)
        }
        let config = try workspace.loadConfig()
        let path = try workspace.secretPath(for: key)
        try WriterSignatures(config).verify(secret, file: path)
        let value = try SecretSealer(workspaceID: workspace.id).open(secret, identities: identities, file: path,
                                                                     names: { config.name(of: $0) })
        return (value, SealedRecipients(listed: config.recipients, files: [SealedRecipients.File(secret, path: path)]))
    }
}
