import LoopsealCrypto
import LoopsealStore

/// The merge of the three versions of one sealed file (run by the merge driver,
/// ``SealedMergeDriver``): it merges by what the files mean, not by their lines, and never
/// writes plaintext. Which side wins:
/// - both sides hold the ancestor's ciphertext (each only re-sealed it): ours, its recipient
///   entries joined with theirs' (they seal the same data key);
/// - one side changed the value: that side;
/// - both changed it: when an identity opens both and the values are equal, ours; otherwise a
///   conflict that keeps both sealed files (``SealedConflict``).
///
/// The winner is then sealed to the recipients of the merged `workspace.yaml`
/// (``Context/config``) less any a side removed from the ancestor's file, never to a key a
/// side's file merely lists: removing a recipient needs nothing, adding one needs an identity
/// whose data key opens the value. With `writers:` every
/// side used must carry a listed writer's signature (else: a conflict), and a changed file is
/// signed with the merger's signing key (none found: the winner is kept as it was). Without a
/// `workspace.yaml` nothing is re-sealed or re-signed. What is left undone is named in the
/// note, for `loopseal rekey`.
public enum SealedMerge {
    /// What the driver leaves in git's "ours" file.
    public enum Outcome: Sendable {
        /// A clean merge: the bytes, and what was done (names only).
        case merged([UInt8], note: String)
        /// A conflict in the driver's form, and why.
        case conflict([UInt8], reason: String)
    }

    /// What the merge may use beyond the three files.
    public struct Context: Sendable {
        /// The workspace the file belongs to (from its path), for associated data.
        public var workspaceID: String?
        /// The merged `workspace.yaml` (recipients and writers), or nil when it could not be
        /// read: then nothing is re-sealed or signed.
        public var config: WorkspaceConfig?
        /// The merger's identities (may be none).
        public var identities: [Identity]
        /// The merger's signing key, when the workspace lists writers and one was found.
        public var signingKey: SigningKey?

        /// Creates a context.
        public init(workspaceID: String?, config: WorkspaceConfig?, identities: [Identity], signingKey: SigningKey?) {
            self.workspaceID = workspaceID
            self.config = config
            self.identities = identities
            self.signingKey = signingKey
        }
    }

    /// One side as read: its bytes and what they decode to.
    struct Side {
        var name: String
        var bytes: [UInt8]
        var secret: SealedSecret
    }

    /// Merges `ours` and `theirs` (both changed since `base`, which is empty for a file both
    /// sides added). `path` names the file in notes and errors.
    public static func merge(base: [UInt8], ours: [UInt8], theirs: [UInt8], path: String, context: Context) -> Outcome {
        if ours == theirs { return .merged(ours, note: "both sides are the same") }
        func conflict(_ reason: String) -> Outcome {
            .conflict(SealedConflict(ours: ours, theirs: theirs).encoded(), reason: reason)
        }
        let mine: Side, other: Side
        do {
            mine = Side(name: "our side", bytes: ours, secret: try SealedSecretCodec.decode(ours, file: "\(path) (ours)"))
            other = Side(name: "their side", bytes: theirs, secret: try SealedSecretCodec.decode(theirs, file: "\(path) (theirs)"))
        } catch {
            return conflict("\(error)")
        }
        guard mine.secret.key == other.secret.key else { return conflict("the sides hold different keys") }
        let original = base.isEmpty ? nil : try? SealedSecretCodec.decode(base, file: "\(path) (base)")
        let oursChanged = original.map { $0.value != mine.secret.value } ?? true
        let theirsChanged = original.map { $0.value != other.secret.value } ?? true
        var winner: Side, why: String
        var helpers: [Side] = []
        switch (oursChanged, theirsChanged) {
        case (false, false): (winner, helpers, why) = (mine, [other], "both sides only re-sealed it")
        case (true, false): (winner, why) = (mine, "only our side changed the value")
        case (false, true): (winner, why) = (other, "only their side changed the value")
        case (true, true):
            guard sameValue(mine.secret, other.secret, path: path, context: context) else {
                return conflict(context.identities.isEmpty
                                ? "both sides changed the value (no identity to tell whether the values are equal)"
                                : "both sides changed the value")
            }
            (winner, why) = (mine, "both sides set the same value")
        }
        if let config = context.config {
            let signatures = WriterSignatures(config)
            for side in [winner] + helpers {
                do {
                    try signatures.verify(side.secret, file: "\(path) (\(side.name == "our side" ? "ours" : "theirs"))")
                } catch {
                    return conflict("\(side.name) is not signed by a writer workspace.yaml lists: \(error)")
                }
            }
        }
        let loser = winner.bytes == mine.bytes ? other : mine
        if let original, let merged = mergedMetadata(base: original.metadata, winner: winner.secret.metadata, other: loser.secret.metadata) {
            var secret = winner.secret
            secret.metadata = merged
            secret.signature = nil
            if let config = context.config, WriterSignatures(config).required {
                do {
                    try WriterSignatures(config).verify(loser.secret, file: "\(path) (\(loser.name == "our side" ? "ours" : "theirs"))")
                } catch {
                    return conflict("\(loser.name) changed the metadata and is not signed by a writer workspace.yaml lists: \(error)")
                }
                guard let signingKey = context.signingKey else {
                    return conflict("both sides changed it (the value or metadata on one, metadata on the other) and no signing key of a listed writer was found to sign the merged metadata")
                }
                secret = WriterSignatures(config).sign(secret, with: signingKey)
            }
            winner = Side(name: winner.name, bytes: SealedSecretCodec.encode(secret), secret: secret)
            why += "; the metadata \(loser.name) changed was kept"
        }
        var removed = Set<String>()
        if let original {
            let before = Set(original.recipients.keys)
            removed = before.subtracting(mine.secret.recipients.keys).union(before.subtracting(other.secret.recipients.keys))
        }
        return seal(winner, helpers: helpers, removing: removed, path: path, context: context, why: why)
    }

    /// True when an identity opens both values and they are equal (declared on both sides counts).
    static func sameValue(_ ours: SealedSecret, _ theirs: SealedSecret, path: String, context: Context) -> Bool {
        if ours.value == nil && theirs.value == nil { return true }
        guard let workspaceID = context.workspaceID, !context.identities.isEmpty else { return false }
        let sealer = SecretSealer(workspaceID: workspaceID)
        guard let mine = try? sealer.open(ours, identities: context.identities, file: path),
              let other = try? sealer.open(theirs, identities: context.identities, file: path) else { return false }
        return mine.constantTimeEquals(other)
    }

    /// The winner's metadata with every field the other side changed from `base` and the winner
    /// did not (owner, expires, rotateEvery, description; `rotated` follows the value, so the
    /// winner's stays), or nil when that is the winner's own: a metadata edit on the side whose
    /// value lost is never dropped. A field both sides changed keeps the winner's.
    static func mergedMetadata(base: SecretMetadata, winner: SecretMetadata, other: SecretMetadata) -> SecretMetadata? {
        var merged = winner
        if winner.owner == base.owner { merged.owner = other.owner }
        if winner.expires == base.expires { merged.expires = other.expires }
        if winner.rotateEvery == base.rotateEvery { merged.rotateEvery = other.rotateEvery }
        if winner.description == base.description { merged.description = other.description }
        if merged.rotated == nil && !merged.isEmpty && merged != winner { merged.rotated = other.rotated }
        return merged == winner ? nil : merged
    }

    /// `winner` sealed to the merged `workspace.yaml`'s recipients where that can be done
    /// (entries of `helpers`, which seal the same data key, fill in first); the winner's own
    /// bytes when that changes nothing or the change cannot be signed.
    /// A recipient in `removing` (one a side dropped from the ancestor's file, as a rekey after
    /// `recipients rm` does) is never kept, whatever `workspace.yaml` says: removing is always safe.
    static func seal(_ winner: Side, helpers: [Side], removing: Set<String>, path: String, context: Context, why: String) -> Outcome {
        guard winner.secret.hasValue, let config = context.config else {
            return .merged(winner.bytes, note: why + (context.config == nil && winner.secret.hasValue
                ? "; workspace.yaml could not be read, so the file was not re-sealed" : ""))
        }
        let target = Set(config.publicKeys.map(\.description)).subtracting(removing)
        var entries = winner.secret.recipients.filter { target.contains($0.key) }
        for helper in helpers {
            for (recipient, sealed) in helper.secret.recipients where target.contains(recipient) && entries[recipient] == nil {
                entries[recipient] = sealed
            }
        }
        let missing = target.subtracting(entries.keys).sorted()
        var unsealed = missing
        if !missing.isEmpty, let workspaceID = context.workspaceID, let value = winner.secret.value {
            let sealer = SecretSealer(workspaceID: workspaceID)
            if let dataKey = try? sealer.openDataKey(of: winner.secret, identities: context.identities, file: path),
               (try? sealer.open(value: value, key: winner.secret.key, dataKey: dataKey, file: path)) != nil {
                for recipient in missing {
                    guard let key = try? PublicKey(string: recipient) else { continue }
                    entries[recipient] = SealedBox.seal(dataKey, to: key)
                }
                unsealed = missing.filter { entries[$0] == nil }
            }
        }
        let names = { (key: String) in config.name(of: key) ?? SealedRecipients.shortKey(key) }
        let pending = unsealed.isEmpty ? "" : "; not sealed to \(unsealed.map(names).joined(separator: ", ")) (no identity of yours opens it): run 'loopseal rekey'"
        guard !entries.isEmpty, entries != winner.secret.recipients else { return .merged(winner.bytes, note: why + pending) }
        var result = winner.secret
        result.recipients = entries
        result.signature = nil
        let signatures = WriterSignatures(config)
        if signatures.required {
            guard let signingKey = context.signingKey else {
                return .merged(winner.bytes, note: why + "; not re-sealed to workspace.yaml's recipients: no signing key of a listed writer was found: run 'loopseal rekey'")
            }
            result = signatures.sign(result, with: signingKey)
        }
        let signed = signatures.required ? ", signed with your key" : ""
        return .merged(SealedSecretCodec.encode(result), note: why + "; sealed to workspace.yaml's recipients\(signed)" + pending)
    }
}
