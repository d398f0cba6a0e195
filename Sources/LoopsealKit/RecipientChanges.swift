import Foundation
import LoopsealCrypto
import LoopsealStore

/// Adding and removing recipients: `workspace.yaml` edited and every secret re-sealed, all or
/// nothing (``SecretService/changeRecipients(action:identities:rekey:progress:_:)``). The
/// result names the secrets a removed key could read: rotate those.
public enum RecipientChanges {
    /// Checks a new recipient's name and parses its `age1…` key, before anything is loaded.
    public static func newRecipient(name: String, publicKey: String) throws -> Recipient {
        guard Names.isValidRecipientName(name) else { throw StoreError.invalidRecipientName(name) }
        do {
            return Recipient(name: name, publicKey: try PublicKey(string: publicKey))
        } catch let error as CryptoError {
            throw KitError.invalidRecipientKey(name: name, problem: "\(error)")
        }
    }

    /// Adds `recipient` (from ``newRecipient(name:publicKey:)``); re-seals unless `rekey` is false.
    public static func add(_ recipient: Recipient, to service: SecretService, identities: [Identity],
                           rekey: Bool, progress: ((Int, Int) -> Void)? = nil) throws -> RecipientChange {
        let name = recipient.name, key = recipient.publicKey
        return try service.changeRecipients(action: "recipients add", identities: identities, rekey: rekey, progress: progress) { config in
            if config.recipients.contains(where: { $0.name == name || $0.publicKey == key }) {
                throw StoreError.duplicateRecipient(name: name)
            }
            config.recipients.append(recipient)
        }
    }

    /// Removes `name`, refusing to remove the last recipient; re-seals unless `rekey` is false.
    /// Records in the exposure ledger (``ExposureRecording``) which secrets `name` could read,
    /// removed by `removedBy` (the remover's recipient name when an identity is theirs).
    public static func remove(name: String, from service: SecretService, identities: [Identity],
                              rekey: Bool, removedBy: String = "unknown", now: Date = Date(),
                              progress: ((Int, Int) -> Void)? = nil) throws -> RecipientChange {
        var recording: ExposureRecording?
        let change = try service.changeRecipients(action: "recipients rm", identities: identities, rekey: rekey, progress: progress) { config in
            guard let index = config.recipients.firstIndex(where: { $0.name == name }) else {
                throw StoreError.unknownRecipient(name: name, known: config.recipients.map(\.name))
            }
            guard config.recipients.count > 1 else { throw KitError.lastRecipient(name: name) }
            recording = try ExposureRecording(removing: config.recipients[index], config: config, service: service,
                                              identities: identities, removedBy: removedBy, now: now)
            config.recipients.remove(at: index)
        }
        try recording?.record(in: service, identities: identities)
        return change
    }
}
