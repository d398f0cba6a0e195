import LoopsealCrypto
import LoopsealStore

/// The merge driver for sealed files (`loopseal git merge`, run by git when both sides changed
/// one): it merges by what the files mean, not by their lines, and never writes plaintext.
///
/// The recipients of the result are the three-way merge of the files' recipient sets (a
/// recipient one side added stays, one a side removed goes; without a base, only those both
/// sides have), which is the merge of `workspace.yaml`'s lists when each side kept its files
/// in step with it. Then:
/// - both sides hold the base's ciphertext (each only re-sealed it): ours, its entries joined
///   with theirs' (they seal the same data key);
/// - one side changed the value: that side wins;
/// - both changed it: when an identity opens both and the values are equal, ours; otherwise a
///   conflict that keeps both sealed files (``SealedConflict``).
/// The winner is sealed to the merged recipients where it can: removing a recipient needs
/// nothing, adding one needs an identity that opens the data key, and when the workspace lists
/// writers a changed file needs the merger's signing key. What it cannot do is left to
/// `loopseal rekey`, and the note says so (reads warn about such files meanwhile).
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
        /// The workspace the file belongs to (from its path), for associated data and names.
        public var workspaceID: String?
        /// The merger's `workspace.yaml` (the working tree's), when it reads.
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

    /// Merges `ours` and `theirs` (both changed since `base`, which is empty for a file both
    /// sides added). `path` names the file in notes and errors.
    public static func merge(base: [UInt8], ours: [UInt8], theirs: [UInt8], path: String, context: Context) -> Outcome {
        if ours == theirs { return .merged(ours, note: "both sides are the same") }
        func conflict(_ reason: String) -> Outcome {
            .conflict(SealedConflict(ours: ours, theirs: theirs).encoded(), reason: reason)
        }
        guard let mine = try? SealedSecretCodec.decode(ours, file: path),
              let other = try? SealedSecretCodec.decode(theirs, file: path), mine.key == other.key else {
            return conflict("a side is not a readable sealed file")
        }
        let original = base.isEmpty ? nil : try? SealedSecretCodec.decode(base, file: path)
        let recipients = mergedRecipients(base: original, ours: mine, theirs: other)
        let oursChanged = original.map { $0.value != mine.value } ?? true
        let theirsChanged = original.map { $0.value != other.value } ?? true
        switch (oursChanged, theirsChanged) {
        case (false, false):
            var joined = mine
            joined.recipients.merge(other.recipients) { kept, _ in kept }
            return seal(joined, rawSecret: mine, raw: ours, to: recipients, path: path, context: context, why: "both sides only re-sealed it")
        case (true, false):
            return seal(mine, rawSecret: mine, raw: ours, to: recipients, path: path, context: context, why: "only our side changed the value")
        case (false, true):
            return seal(other, rawSecret: other, raw: theirs, to: recipients, path: path, context: context, why: "only their side changed the value")
        case (true, true):
            guard sameValue(mine, other, path: path, context: context) else {
                return conflict(context.identities.isEmpty
                                ? "both sides changed the value (no identity to tell whether the values are equal)"
                                : "both sides changed the value")
            }
            return seal(mine, rawSecret: mine, raw: ours, to: recipients, path: path, context: context, why: "both sides set the same value")
        }
    }

    /// The three-way merge of the recipient sets.
    static func mergedRecipients(base: SealedSecret?, ours: SealedSecret, theirs: SealedSecret) -> Set<String> {
        let mine = Set(ours.recipients.keys), other = Set(theirs.recipients.keys)
        guard let base else { return mine.intersection(other) }
        let original = Set(base.recipients.keys)
        return mine.union(other).union(original).filter { recipient in
            let inMine = mine.contains(recipient), inOther = other.contains(recipient)
            if inMine == inOther { return inMine }
            return inMine == original.contains(recipient) ? inOther : inMine
        }
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

    /// `winner` sealed to `recipients` where that can be done; `raw` (the file `rawSecret` was
    /// read from) when that changes nothing or the change cannot be signed.
    static func seal(_ winner: SealedSecret, rawSecret: SealedSecret, raw: [UInt8], to recipients: Set<String>, path: String,
                     context: Context, why: String) -> Outcome {
        guard winner.hasValue else { return .merged(raw, note: why) }
        var entries = winner.recipients.filter { recipients.contains($0.key) }
        let missing = recipients.subtracting(entries.keys).sorted()
        var unsealed: [String] = []
        if !missing.isEmpty {
            if let dataKey = try? SecretSealer(workspaceID: context.workspaceID ?? "")
                .openDataKey(of: winner, identities: context.identities, file: path) {
                for recipient in missing {
                    guard let key = try? PublicKey(string: recipient) else { unsealed.append(recipient); continue }
                    entries[recipient] = SealedBox.seal(dataKey, to: key)
                }
            } else {
                unsealed = missing
            }
        }
        let names = { (key: String) in context.config?.name(of: key) ?? SealedRecipients.shortKey(key) }
        let pending = unsealed.isEmpty ? "" : "; not sealed to \(unsealed.map(names).joined(separator: ", ")) (no identity opens it): run 'loopseal rekey'"
        guard !entries.isEmpty, entries != rawSecret.recipients else { return .merged(raw, note: why + pending) }
        var result = winner
        result.recipients = entries
        result.signature = nil
        if let config = context.config, !config.writers.isEmpty {
            guard let signingKey = context.signingKey else {
                return .merged(raw, note: why + "; its recipients are not the merged ones and no signing key was found to sign a change: run 'loopseal rekey'")
            }
            result = WriterSignatures(config).sign(result, with: signingKey)
        }
        return .merged(SealedSecretCodec.encode(result), note: why + "; sealed to the merged recipients" + pending)
    }
}
