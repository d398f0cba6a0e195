import LoopsealCrypto
import LoopsealStore

/// One secret a removed recipient could read whose value has not changed since.
public struct ExposedSecret: Sendable, Equatable, Codable {
    /// The removed recipient's name.
    public var recipient: String
    /// Their `age1…` public key.
    public var publicKey: String
    /// The secret's key.
    public var key: String
    /// When they were removed (ISO 8601, UTC).
    public var removedAt: String
    /// Who removed them.
    public var removedBy: String
    /// True when the value is known to be the one they could read: its sealed bytes are
    /// unchanged, or an identity opened it and its fingerprint matches. False when it was
    /// re-sealed and no identity could tell whether the value changed (it is listed anyway).
    public var verified: Bool

    /// Creates an item.
    public init(recipient: String, publicKey: String, key: String, removedAt: String, removedBy: String, verified: Bool) {
        self.recipient = recipient
        self.publicKey = publicKey
        self.key = key
        self.removedAt = removedAt
        self.removedBy = removedBy
        self.verified = verified
    }
}

/// `loopseal exposure`: what the exposure ledger says is still exposed. A secret stays exposed
/// until its value changes after the removal: a rekey keeps the sealed value's bytes, and a
/// re-seal of the same value (a rotation to the value it had) keeps the keyed value fingerprint,
/// so neither clears it. A deleted secret is no longer listed (there is nothing left to rotate).
/// Opening values needs an identity; without one, a re-sealed value is listed as unverified.
public enum SecretExposure {
    /// Still-exposed secrets, for `recipient` only when given, ordered by recipient, then key
    /// (one item per recipient and key: the earliest removal that still exposes it).
    public static func list(service: SecretService, identities: [Identity], recipient: String? = nil) throws -> [ExposedSecret] {
        let ledger = try ExposureLedger.load(from: service.workspace)
        let current = Dictionary(try service.scanAll().secrets.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var seen = Set<String>()
        var exposed: [ExposedSecret] = []
        for removal in ledger.removals where recipient == nil || removal.recipient == recipient {
            let fingerprintKey = open(removal.fingerprintKey, identities: identities)
            for secret in removal.secrets where !seen.contains(removal.recipient + "\u{0}" + secret.key) {
                guard let now = current[secret.key], let value = now.value else { continue }
                let verified: Bool
                if ExposureLedger.Secret.sealedFingerprint(of: value) == secret.sealed {
                    verified = true
                } else if let recorded = secret.value, let fingerprintKey,
                          let opened = try? service.reveal(key: secret.key, identities: identities) {
                    let fingerprint = try KeyedFingerprint.compute(key: fingerprintKey, context: Array(secret.key.utf8), value: opened)
                    guard Hash.hex(fingerprint) == recorded else { continue }
                    verified = true
                } else {
                    verified = false
                }
                seen.insert(removal.recipient + "\u{0}" + secret.key)
                exposed.append(ExposedSecret(recipient: removal.recipient, publicKey: removal.publicKey, key: secret.key,
                                             removedAt: removal.removedAt, removedBy: removal.removedBy, verified: verified))
            }
        }
        return exposed.sorted { ($0.recipient, $0.key) < ($1.recipient, $1.key) }
    }

    /// The removal's fingerprint key, opened with the first identity it is sealed to.
    private static func open(_ boxes: [String: [UInt8]], identities: [Identity]) -> SecureBytes? {
        for identity in identities {
            if let box = boxes[identity.publicKey.description], let key = try? SealedBox.open(box, with: identity),
               key.count == KeyedFingerprint.keyBytes {
                return key
            }
        }
        return nil
    }
}
