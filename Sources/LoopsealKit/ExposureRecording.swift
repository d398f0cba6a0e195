import Foundation
import LoopsealCrypto
import LoopsealStore

/// What `recipients rm` adds to the exposure ledger (``ExposureLedger``): the secrets with a
/// value the removed recipient could open, each with the hash of its sealed value and, when an
/// identity opens it after the re-seal, a ``KeyedFingerprint`` of the value under a fresh key
/// sealed only to the recipients left. Values are opened in locked memory and never written.
struct ExposureRecording {
    private let removed: Recipient
    private let removedAt: String
    private let removedBy: String
    private let secrets: [(key: String, sealed: String)]

    /// Notes what `removed` can open now, under the workspace lock, before the re-seal.
    init(removing removed: Recipient, config: WorkspaceConfig, service: SecretService, identities: [Identity],
         removedBy: String, now: Date) throws {
        // A ledger that cannot be read or replaced stops the removal before anything changes.
        _ = try ExposureLedger.load(from: service.workspace)
        let key = removed.publicKey.description
        self.removed = removed
        self.removedAt = ExposureRecording.timestamp(now)
        let own = Set(identities.map(\.publicKey))
        self.removedBy = config.recipients.first { own.contains($0.publicKey) && $0.name != removed.name }?.name ?? removedBy
        self.secrets = try service.scanAll().secrets.compactMap { secret in
            guard let value = secret.value, secret.recipients[key] != nil else { return nil }
            return (secret.key, ExposureLedger.Secret.sealedFingerprint(of: value))
        }
    }

    /// Appends the removal to the ledger (nothing when the recipient could read no secret).
    func record(in service: SecretService, identities: [Identity]) throws {
        guard !secrets.isEmpty else { return }
        let fingerprintKey = try SecureBytes.random(count: KeyedFingerprint.keyBytes)
        var entries: [ExposureLedger.Secret] = []
        for secret in secrets {
            let value = identities.isEmpty ? nil : try? service.reveal(key: secret.key, identities: identities)
            let fingerprint = try value.map { try KeyedFingerprint.compute(key: fingerprintKey, context: Array(secret.key.utf8), value: $0) }
            entries.append(ExposureLedger.Secret(key: secret.key, sealed: secret.sealed, value: fingerprint.map(Hash.hex)))
        }
        let left = try service.workspace.loadConfig().publicKeys
        var boxes: [String: [UInt8]] = [:]
        if entries.contains(where: { $0.value != nil }) {
            for recipient in left { boxes[recipient.description] = SealedBox.seal(fingerprintKey, to: recipient) }
        }
        let removal = ExposureLedger.Removal(recipient: removed.name, publicKey: removed.publicKey.description, removedAt: removedAt,
                                             removedBy: removedBy, fingerprintKey: boxes, secrets: entries)
        try service.workspace.withLock {
            var ledger = try ExposureLedger.load(from: service.workspace)
            ledger.removals.append(removal)
            try ledger.save(to: service.workspace)
        }
    }

    /// `2026-12-01T22:53:17Z`.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
