import LoopsealCrypto

/// How a merge conflict in a sealed file is settled.
public enum ConflictChoice: Sendable {
    /// Keep our side's file.
    case ours
    /// Keep their side's file.
    case theirs
    /// Seal this value (chosen or written by a person), keeping our side's id.
    case value(SecureBytes)
}

/// What resolving a conflict wrote (names only).
public struct ConflictResolved: Sendable, Equatable {
    /// The file written.
    public var file: String
    /// True when the kept file was re-sealed to `workspace.yaml`'s recipients (or, for a
    /// value, sealed fresh).
    public var resealed: Bool
    /// True when the file kept is sealed to other recipients than `workspace.yaml` lists (no
    /// identity opened it to re-seal): `loopseal rekey` finishes it.
    public var stale: Bool
}

extension SecretService {
    /// Both sides of `key`'s file in merge conflict; throws when the file is not in conflict.
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
    /// workspace lists writers and a signing key is found) or seals a new value. A side that
    /// does not parse, or whose writer signature does not hold, is refused naming the side.
    @discardableResult
    public func resolveConflict(key: String, choice: ConflictChoice, identities: [Identity]) throws -> ConflictResolved {
        let path = try workspace.secretPath(for: key)
        return try withWriteLock { config, recipients in
            let sides = try conflict(key: key)
            let signatures = WriterSignatures(config)
            let ours = try side(sides.ours, name: "ours", key: key, path: path)
            var kept: SealedSecret
            var resealed = false
            switch choice {
            case .ours, .theirs:
                let isOurs = if case .ours = choice { true } else { false }
                kept = isOurs ? ours : try side(sides.theirs, name: "theirs", key: key, path: path)
                try signatures.verify(kept, file: "\(path) (\(isOurs ? "ours" : "theirs"))")
                if let dataKey = try? sealer.openDataKey(of: kept, identities: identities, file: path),
                   var updated = sealer.rekey(kept, dataKey: dataKey, to: recipients) {
                    updated.signature = nil
                    if let signingKey = (try? signatures.signingKey(from: signingKeys)) ?? nil {
                        kept = signatures.sign(updated, with: signingKey)
                        resealed = true
                    } else if !signatures.required {
                        kept = updated
                        resealed = true
                    }
                }
            case .value(let value):
                kept = try sealer.seal(id: ours.id, key: key, value: value, to: recipients)
                if let signingKey = try signatures.signingKey(from: signingKeys) { kept = signatures.sign(kept, with: signingKey) }
                resealed = true
            }
            try FileIO.writeAtomically(SealedSecretCodec.encode(kept), to: path)
            let wanted = Set(recipients.map(\.description))
            return ConflictResolved(file: path, resealed: resealed, stale: kept.hasValue && Set(kept.recipients.keys) != wanted)
        }
    }

    private func side(_ bytes: [UInt8], name: String, key: String, path: String) throws -> SealedSecret {
        let secret = try SealedSecretCodec.decode(bytes, file: "\(path) (\(name))")
        guard secret.key == key else {
            throw StoreError.malformed(file: "\(path) (\(name))", line: nil, column: nil,
                                       problem: "holds key '\(secret.key)', not '\(key)': choose the other side or --edit")
        }
        return secret
    }
}
