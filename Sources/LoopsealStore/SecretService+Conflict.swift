import LoopsealCrypto

extension SecretService {
    /// Both sides of `key`'s file in merge conflict; throws ``StoreError/notInConflict(file:)``
    /// when the file holds no conflict markers.
    public func conflict(key: String) throws -> SealedConflict {
        let path = try workspace.secretPath(for: key)
        guard let bytes = try FileIO.contentsIfExists(path, limit: FileLimits.sealedFile * 2 + 64, followSymlinks: false,
                                                      kind: "sealed file") else {
            throw StoreError.secretNotFound(key: key, workspace: workspace.id)
        }
        guard let conflict = try SealedConflict.parse(bytes, file: path) else { throw StoreError.notInConflict(file: path) }
        return conflict
    }

    /// Settles the merge conflict in `key`'s file under the lock: keeps one side (re-sealed to
    /// `workspace.yaml`'s recipients when one of `identities` opens it, signed when the
    /// workspace lists writers and a signing key is found) or seals a new value. `sides` are
    /// the two versions when the caller has them (git's index, for a file a failed driver left
    /// without markers); by default they come from the file's markers. Only the side kept must
    /// parse and, with writers, carry a listed writer's signature.
    @discardableResult
    public func resolveConflict(key: String, choice: ConflictChoice, identities: [Identity],
                                sides: SealedConflict? = nil) throws -> ConflictResolved {
        let path = try workspace.secretPath(for: key)
        return try withWriteLock { config, recipients in
            let conflict = try sides ?? self.conflict(key: key)
            let signatures = WriterSignatures(config)
            var kept: SealedSecret
            var notResealed: String?
            switch choice {
            case .ours, .theirs:
                let name = if case .ours = choice { "ours" } else { "theirs" }
                kept = try side(name == "ours" ? conflict.ours : conflict.theirs, name: name, key: key, path: path)
                try signatures.verify(kept, file: "\(path) (\(name))")
                (kept, notResealed) = try reseal(kept, to: recipients, identities: identities, signatures: signatures, path: path)
            case .value(let value):
                let base = [conflict.ours, conflict.theirs].lazy.compactMap { try? SealedSecretCodec.decode($0, file: path) }.first
                kept = try seal(value, key: key, replacing: base, to: recipients)
                if let signingKey = try signatures.signingKey(from: signingKeys) { kept = signatures.sign(kept, with: signingKey) }
            }
            try FileIO.writeAtomically(SealedSecretCodec.encode(kept), to: path)
            return ConflictResolved(file: path, notResealed: notResealed)
        }
    }

    /// `secret` re-sealed to `recipients` (and signed when writers are listed), or as it is with
    /// the reason it could not be.
    private func reseal(_ secret: SealedSecret, to recipients: [PublicKey], identities: [Identity],
                        signatures: WriterSignatures, path: String) throws -> (SealedSecret, String?) {
        guard secret.hasValue, Set(secret.recipients.keys) != Set(recipients.map(\.description)) else { return (secret, nil) }
        guard let dataKey = try? sealer.openDataKey(of: secret, identities: identities, file: path),
              var updated = sealer.rekey(secret, dataKey: dataKey, to: recipients) else {
            return (secret, "no identity of yours opens it")
        }
        updated.signature = nil
        guard signatures.required else { return (updated, nil) }
        do {
            guard let signingKey = try signatures.signingKey(from: signingKeys) else { return (secret, "no signing key") }
            return (signatures.sign(updated, with: signingKey), nil)
        } catch {
            return (secret, "\(error)")
        }
    }

    private func side(_ bytes: [UInt8], name: String, key: String, path: String) throws -> SealedSecret {
        let secret = try SealedSecretCodec.decode(bytes, file: "\(path) (\(name))")
        guard secret.key == key else {
            throw StoreError.malformed(file: "\(path) (\(name))", line: nil, column: nil,
                                       problem: "holds key '\(StoreError.printable(secret.key))', not '\(key)': keep the other side or set a new value")
        }
        return secret
    }
}
